import io
from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from cooperatives.importing import load_dataset, run_import
from cooperatives.models import Cooperative, ImportJob, YearlyFigure
from cooperatives.resources import CooperativeResource

from .factories import CooperativeFactory

HEADERS = [f.column_name for f in CooperativeResource().get_import_fields()]


def row(**changes):
    values = {
        "Mã số đăng ký": "1900999001",
        "Tên": "Hợp tác xã Nông nghiệp Ninh Quới Mới",
        "Tên viết tắt": "",
        "Loại hình": "Hợp tác xã",
        "Ngày cấp đăng ký": "15/03/2024",
        "Mã số thuế": "",
        "Địa chỉ": "Ấp Cây Me, Xã Ninh Quới",
        "Địa bàn": "Xã Ninh Quới",
        "Lĩnh vực": "Trồng trọt",
        "Ngành nghề cụ thể": "Lúa",
        "Mô hình quản trị": "Đầy đủ",
        "Vốn điều lệ (đồng)": "1.500.000.000",
        "Tình trạng": "Đang hoạt động",
        "Tình trạng từ ngày": "",
        "Người đại diện theo pháp luật": "Nguyễn Văn Mẫu",
        "Điện thoại liên hệ": "",
        "Thư điện tử": "",
        "HTX điểm": "Không",
        "Đăng ký lại theo Luật 2023": "Có",
    }
    values.update(changes)
    return [values[h] for h in HEADERS]


def dataset(*rows):
    data = tablib.Dataset(headers=HEADERS)
    for r in rows:
        data.append(r)
    return data


def test_vietnamese_numbers_and_dates_are_accepted(units):
    outcome = run_import(resource_key="cooperatives", dataset=dataset(row()), dry_run=False)
    assert outcome["ok"], outcome["errors"]
    coop = Cooperative.objects.get(registration_code="1900999001")
    assert coop.charter_capital == Decimal("1500000000")
    assert coop.certificate_date == date(2024, 3, 15)
    assert coop.unit == units["Xã Ninh Quới"]
    assert coop.search_text.startswith("hop tac xa nong nghiep ninh quoi")
    assert coop.history.count() == 1


def test_a_dry_run_checks_everything_and_writes_nothing(units):
    outcome = run_import(resource_key="cooperatives", dataset=dataset(row()), dry_run=True)
    assert outcome["ok"] and outcome["new"] == 1
    assert not Cooperative.objects.exists()


BAD_ROWS = {
    "a date that does not exist": (
        row(**{"Mã số đăng ký": "1900999002", "Ngày cấp đăng ký": "31/02/2024"}),
        "không có thật",
    ),
    "an unknown unit": (row(**{"Mã số đăng ký": "1900999003", "Địa bàn": "Huyện Không Có"}), "Không có địa bàn"),
    "a duplicate code": (row(), "trùng với dòng 2"),
    "negative capital": (row(**{"Mã số đăng ký": "1900999004", "Vốn điều lệ (đồng)": "-5.000"}), "không được âm"),
    "text in a number column": (
        row(**{"Mã số đăng ký": "1900999005", "Vốn điều lệ (đồng)": "năm trăm"}),
        "không phải là số",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_file_with_one_bad_row_changes_nothing_and_says_why(units, case):
    bad, reason = BAD_ROWS[case]
    good_other = row(**{"Mã số đăng ký": "1900999100", "Tên": "Hợp tác xã Muối Long Điền Mới"})
    outcome = run_import(resource_key="cooperatives", dataset=dataset(row(), good_other, bad), dry_run=False)
    assert not outcome["ok"]
    assert [e["row"] for e in outcome["errors"]] == [4]
    assert reason in " ".join(outcome["errors"][0]["messages"])
    assert not Cooperative.objects.exists()


def test_every_bad_row_is_listed_with_its_reason(units):
    rows = [row()] + [bad for bad, _reason in BAD_ROWS.values()]
    outcome = run_import(resource_key="cooperatives", dataset=dataset(*rows), dry_run=False)
    assert [e["row"] for e in outcome["errors"]] == [3, 4, 5, 6, 7]
    text = " ".join(" ".join(e["messages"]) for e in outcome["errors"])
    for _bad, reason in BAD_ROWS.values():
        assert reason in text
    assert not Cooperative.objects.exists()


def test_importing_an_existing_code_updates_that_cooperative(hong_dan_commune):
    existing = CooperativeFactory(unit=hong_dan_commune, registration_code="1900999001", charter_capital=1)
    outcome = run_import(resource_key="cooperatives", dataset=dataset(row()), dry_run=False)
    assert outcome["ok"] and outcome["updated"] == 1
    existing.refresh_from_db()
    assert existing.charter_capital == Decimal("1500000000")
    assert existing.search_text.startswith("hop tac xa nong nghiep ninh quoi moi")  # renamed, found by its new name
    assert Cooperative.objects.count() == 1
    assert existing.history.count() == 2


def test_a_file_missing_required_columns_is_refused_as_a_whole(units):
    data = tablib.Dataset(headers=["Tên"])
    data.append(["Hợp tác xã Thiếu Cột"])
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=True)
    assert not outcome["ok"]
    assert "Tệp thiếu cột" in outcome["errors"][0]["messages"][0]


def test_yearly_figures_import_by_registration_code_and_year(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, registration_code="1900123456")
    headers = [
        "Mã số đăng ký",
        "Năm",
        "Thành viên chính thức",
        "Doanh thu (đồng)",
        "Lợi nhuận (đồng)",
        "Có sổ sách kế toán",
    ]
    good = tablib.Dataset(["1900123456", "2025", "35", "2.500.000.000", "-12.000.000", "Có"], headers=headers)
    assert run_import(resource_key="figures", dataset=good, dry_run=False)["ok"]
    figure = YearlyFigure.objects.get(cooperative=coop, year=2025)
    assert (figure.revenue, figure.profit, figure.keeps_accounts) == (Decimal("2500000000"), Decimal("-12000000"), True)
    again = tablib.Dataset(["1900123456", "2025", "36", "2.600.000.000", "0", "Không"], headers=headers)
    assert run_import(resource_key="figures", dataset=again, dry_run=False)["updated"] == 1
    figure.refresh_from_db()
    assert (figure.members_official, figure.revenue, figure.keeps_accounts) == (36, Decimal("2600000000"), False)
    bad = tablib.Dataset(
        ["1900123456", "2024", "35", "1.000", "0", "Có"],
        ["1900000000", "2024", "abc", "1.000", "0", "Có"],
        headers=headers,
    )
    outcome = run_import(resource_key="figures", dataset=bad, dry_run=False)
    assert [e["row"] for e in outcome["errors"]] == [3]
    assert "Không có hợp tác xã mã" in " ".join(outcome["errors"][0]["messages"])
    assert not YearlyFigure.objects.filter(year=2024).exists()


def test_an_xlsx_file_with_number_and_date_cells_is_read(units):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    values = row()
    values[HEADERS.index("Ngày cấp đăng ký")] = date(2024, 3, 15)
    values[HEADERS.index("Vốn điều lệ (đồng)")] = 1500000000
    sheet.append(values)
    sheet.append([None] * len(HEADERS))
    buffer = io.BytesIO()
    book.save(buffer)
    data = load_dataset(buffer.getvalue(), "mau.xlsx")
    assert len(data) == 1
    assert run_import(resource_key="cooperatives", dataset=data, dry_run=False)["ok"]
    assert Cooperative.objects.get().charter_capital == Decimal("1500000000")


def _csv(*rows) -> bytes:
    return ("\ufeff" + dataset(*rows).export("csv")).encode("utf-8")


def test_the_import_pages_check_then_import_after_confirmation(
    client, alliance_staff, units, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alliance_staff)
    upload = SimpleUploadedFile("htx.csv", _csv(row()), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hop-tac-xa/quan-ly/nhap-du-lieu/", {"resource": "cooperatives", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    page = client.get(response.url).content.decode()
    assert "Xác nhận nhập 1 dòng" in page and "Hợp tác xã Nông nghiệp Ninh Quới Mới" in page
    assert not Cooperative.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/xac-nhan/")
    job.refresh_from_db()
    assert (job.status, job.current_progress()) == (ImportJob.Status.IMPORTING, 0)
    assert "0 / 1 dòng" in client.get(response.url).content.decode()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Cooperative.objects.filter(registration_code="1900999001").exists()


def test_confirming_twice_imports_once(
    client, alliance_staff, units, settings, tmp_path, django_capture_on_commit_callbacks
):
    from cooperatives.importing import job_apply

    settings.MEDIA_ROOT = tmp_path
    client.force_login(alliance_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/hop-tac-xa/quan-ly/nhap-du-lieu/",
            {"resource": "cooperatives", "file": SimpleUploadedFile("htx.csv", _csv(row()))},
        )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/xac-nhan/")
        client.post(f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/xac-nhan/")
    job_apply(job_id=job.pk)
    assert Cooperative.objects.count() == 1


def test_a_bad_file_lists_its_rows_on_the_job_page(
    client, alliance_staff, units, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alliance_staff)
    bad = row(**{"Ngày cấp đăng ký": "31/02/2024"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/hop-tac-xa/quan-ly/nhap-du-lieu/",
            {"resource": "cooperatives", "file": SimpleUploadedFile("htx.csv", _csv(bad))},
        )
    page = client.get(response.url).content.decode()
    assert "Không có dữ liệu nào được ghi" in page
    assert "Ngày “31/02/2024” không có thật." in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("htx.pdf", b"%PDF-1.4", "không đúng định dạng cho phép (Excel .xlsx hoặc CSV (UTF-8))"),
        ("htx.xlsx", b"not a zip", "không đúng định dạng cho phép (Excel .xlsx"),
        ("htx.csv", "Tên\n".encode("utf-16"), "CSV (UTF-8)"),
    ],
)
def test_an_upload_that_is_not_a_spreadsheet_is_refused_in_vietnamese(client, alliance_staff, name, content, message):
    client.force_login(alliance_staff)
    response = client.post(
        "/hop-tac-xa/quan-ly/nhap-du-lieu/", {"resource": "cooperatives", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_officers_cannot_reach_the_import_pages(client, officer_hong_dan):
    client.force_login(officer_hong_dan)
    assert client.get("/hop-tac-xa/quan-ly/nhap-du-lieu/").status_code == 302


def test_the_template_has_the_vietnamese_headers(client, alliance_staff):
    client.force_login(alliance_staff)
    response = client.get("/hop-tac-xa/quan-ly/mau/cooperatives.csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].split(",")[:3] == [
        "Mã số đăng ký",
        "Tên",
        "Tên viết tắt",
    ]
