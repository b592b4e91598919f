import io
import time
from datetime import date

import pytest
import tablib
from pypdf import PdfReader

from cooperatives.resources import CooperativeResource, VNDateWidget, VNNumberWidget
from portal.exports import safe_cell

from .factories import CooperativeFactory, YearlyFigureFactory


@pytest.mark.parametrize("text", ["=1+1", "+84291", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_ordinary_cells_and_numbers_are_left_alone():
    assert safe_cell("Hợp tác xã Muối") == "Hợp tác xã Muối"
    assert safe_cell(-5) == -5


def test_an_exported_file_carries_no_formula(client, alliance_staff, hong_dan_commune):
    CooperativeFactory(unit=hong_dan_commune, name='=HYPERLINK("http://evil")', address="@SUM(1)", short_name="+1")
    client.force_login(alliance_staff)
    response = client.get("/hop-tac-xa/quan-ly/xuat/cooperatives.xlsx")
    data = tablib.Dataset().load(io.BytesIO(response.content), format="xlsx")
    row = data.dict[0]
    assert row["Tên"] == '\'=HYPERLINK("http://evil")'
    assert row["Địa chỉ"] == "'@SUM(1)"
    assert row["Tên viết tắt"] == "'+1"
    assert row["Địa bàn"] == "Xã Ninh Quới"


def test_an_exported_file_imports_back_unchanged(hong_dan_commune):
    from cooperatives.importing import run_import

    CooperativeFactory(unit=hong_dan_commune, charter_capital=1_500_000_000)
    exported = CooperativeResource().export()
    assert run_import(resource_key="cooperatives", dataset=exported, dry_run=True)["updated"] == 1


def test_names_that_look_like_formulas_survive_an_export_and_import_unchanged(client, alliance_staff, hong_dan_commune):
    from cooperatives.importing import load_dataset, run_import
    from cooperatives.models import Cooperative

    names = {"address": "=Ấp 3, xã Ninh Quới", "short_name": "+HTX", "legal_representative": "'@Lê Văn A"}
    coop = CooperativeFactory(unit=hong_dan_commune, **names)
    client.force_login(alliance_staff)
    content = client.get("/hop-tac-xa/quan-ly/xuat/cooperatives.xlsx").content
    Cooperative.objects.filter(pk=coop.pk).update(address="", short_name="", legal_representative="")

    result = run_import(resource_key="cooperatives", dataset=load_dataset(content, "x.xlsx"), dry_run=False)

    assert (result["updated"], result.get("errors")) == (1, []), result["errors"]
    coop.refresh_from_db()
    assert {field: getattr(coop, field) for field in names} == names


@pytest.mark.parametrize(
    ("value", "expected"), [("1.500.000", 1500000), ("1500000", 1500000), (2500.0, 2500), ("0", 0)]
)
def test_numbers_are_read_the_vietnamese_way(value, expected):
    assert VNNumberWidget().clean(value) == expected


@pytest.mark.parametrize("value", ["1,500,000.5", "1.5", "abc", "1.50.000"])
def test_malformed_numbers_are_refused(value):
    with pytest.raises(ValueError):
        VNNumberWidget().clean(value)


def test_dates_are_read_as_dd_mm_yyyy():
    assert VNDateWidget().clean("05/04/2022") == date(2022, 4, 5)
    with pytest.raises(ValueError, match="không có thật"):
        VNDateWidget().clean("29/02/2023")
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        VNDateWidget().clean("2022-04-05")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_figures_nobody_filed_print_as_unknown_in_every_row_and_total_of_the_registry_pdf(
    client, alliance_staff, units
):
    CooperativeFactory(unit=units["Xã Ninh Quới"], name="Hợp tác xã Tôm Ninh Quới", sector="aquaculture")
    client.force_login(alliance_staff)

    report = client.get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": 2025})

    rows = [line for line in _text(report.content).splitlines() if "Tổng cộng" in line or "Thủy sản" in line]
    assert len(rows) == 3  # the district table's total, the sector row, the sector table's total
    for row in rows:
        assert row.rstrip().endswith("— — — —"), row  # members, workers, revenue, profit: unknown, not 0


def test_the_profile_pdf_carries_the_vietnamese_name(client, hong_dan_commune):
    coop = CooperativeFactory(
        unit=hong_dan_commune, name="Hợp tác xã Nông nghiệp Ninh Quới Đông Hải", public_fields=["figures"]
    )
    YearlyFigureFactory(cooperative=coop)
    response = client.get(f"/hop-tac-xa/{coop.slug}/ho-so.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "HỢP TÁC XÃ NÔNG NGHIỆP NINH QUỚI ĐÔNG HẢI" in text
    assert "Xã Ninh Quới, Huyện Hồng Dân" in text
    assert coop.representative_phone not in text


def test_the_registry_report_pdf_has_districts_sectors_and_totals(client, alliance_staff, units):
    a = CooperativeFactory(unit=units["Xã Ninh Quới"], name="Hợp tác xã Tôm - Lúa Ninh Quới")
    b = CooperativeFactory(unit=units["Xã Long Điền"], name="Hợp tác xã Muối Long Điền", sector="salt")
    YearlyFigureFactory(cooperative=a, year=2025, members_official=30)
    YearlyFigureFactory(cooperative=b, year=2025, members_official=12)
    client.force_login(alliance_staff)
    started = time.perf_counter()
    response = client.get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": 2025})
    elapsed = time.perf_counter() - started
    text = _text(response.content)
    assert "BÁO CÁO TÌNH HÌNH HỢP TÁC XÃ, TỔ HỢP TÁC NĂM 2025" in text
    assert "Huyện Hồng Dân" in text and "Huyện Đông Hải" in text and "Diêm nghiệp" in text
    assert "Tổng cộng" in text and "42" in text  # 30 + 12 members
    assert elapsed < 10
