import io
from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperatives.importing import load_dataset, run_import
from cooperatives.models import Congress, Cooperative, ImportJob, YearlyFigure
from cooperatives.resources import CooperativeResource
from portal.search import fold
from portal.text import control_characters, normalise
from tests.properties import examples

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


def test_the_preview_shows_dates_and_amounts_the_vietnamese_way_and_codes_as_typed(units):
    import datetime

    cells = row(**{"Mã số đăng ký": 1900999001, "Ngày cấp đăng ký": datetime.datetime(2015, 8, 8)})
    cells[HEADERS.index("Vốn điều lệ (đồng)")] = 1800000000
    later = row(**{"Mã số đăng ký": "1900999002", "Ngày cấp đăng ký": 44927})
    content = _xlsx([HEADERS, cells, later])

    preview = run_import(resource_key="cooperatives", dataset=load_dataset(content, "a.xlsx"), dry_run=True)["preview"]

    first, second = ({h: v for h, v in zip(HEADERS, line, strict=True)} for line in preview)
    assert (first["Mã số đăng ký"], first["Ngày cấp đăng ký"]) == ("1900999001", "08/08/2015")
    assert first["Vốn điều lệ (đồng)"] == "1.800.000.000"
    assert (second["Ngày cấp đăng ký"], second["Vốn điều lệ (đồng)"]) == ("01/01/2023", "1.500.000.000")


def test_a_job_counts_the_rows_refused_while_reading_among_the_sheets_rows(
    client, alliance_staff, units, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alliance_staff)
    bad = row(**{"Mã số đăng ký": "1900999002", "Tên": "Hợp tác xã A_x0001_"})
    upload = SimpleUploadedFile("htx.xlsx", _xlsx([HEADERS, row(), bad]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/hop-tac-xa/quan-ly/nhap-du-lieu/", {"resource": "cooperatives", "file": upload})
    assert ImportJob.objects.get().total_rows == 2


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


# --- Real office spreadsheets ---------------------------------------------------------------------------------------


def office_workbook(header: list, rows: list, *, title_rows: int = 3) -> bytes:
    """A sheet as a provincial office sends it: a merged title, a blank row, the header, then the data rows as
    given (None for a blank row)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.cell(1, 1, "DANH SÁCH HỢP TÁC XÃ TRÊN ĐỊA BÀN HUYỆN HỒNG DÂN")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.cell(2, 1, "(Kèm theo Báo cáo số 15/BC-UBND ngày 14/7/2022)")
    for index, text in enumerate(header, start=1):
        sheet.cell(title_rows + 1, index, text)
    for offset, values in enumerate(rows, start=title_rows + 2):
        for index, value in enumerate(values or [], start=1):
            sheet.cell(offset, index, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


OFFICE_HEADERS = {
    "STT": None,
    "MÃ SỐ HTX": "Mã số đăng ký",
    "tên  htx": "Tên",
    "Địa bàn ": "Địa bàn",
    "LINH VUC": "Lĩnh vực",
    "Ngày cấp": "Ngày cấp đăng ký",
    "Vốn điều lệ": "Vốn điều lệ (đồng)",
}


def office_row(number, **changes):
    values = {
        "STT": number,
        "Mã số đăng ký": f"19009990{number:02d}",
        "Tên": f"Hợp tác xã Nông nghiệp Văn Phòng {number}",
        "Địa bàn": "Xã Ninh Quới",
        "Lĩnh vực": "Trồng trọt",
        "Ngày cấp đăng ký": "15/03/2024",
        "Vốn điều lệ (đồng)": "1.500.000.000",
    }
    values.update(changes)
    return [values[canonical or "STT"] for canonical in OFFICE_HEADERS.values()]


def test_an_office_sheet_with_title_rows_and_its_own_headers_is_read(units):
    content = office_workbook(list(OFFICE_HEADERS), [office_row(1), None, office_row(2, **{"Tên": " Hợp tác xã  B "})])
    data = load_dataset(content, "danh-sach.xlsx", "cooperatives")
    assert data.row_numbers == [5, 7]
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
    assert outcome["ok"], outcome["errors"]
    assert Cooperative.objects.get(registration_code="1900999002").name == "Hợp tác xã B"


def test_errors_name_the_sheets_own_rows_after_title_and_blank_rows(units):
    rows = [office_row(1), None, None, office_row(2, **{"Ngày cấp đăng ký": "31/02/2024"}), None, office_row(3)]
    outcome = run_import(
        resource_key="cooperatives",
        dataset=load_dataset(office_workbook(list(OFFICE_HEADERS), rows), "a.xlsx"),
        dry_run=False,
    )
    assert [e["row"] for e in outcome["errors"]] == [8]
    assert not Cooperative.objects.exists()


def test_a_blank_row_in_a_plain_sheet_does_not_shift_the_row_numbers(units):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(row())
    sheet.append([None] * len(HEADERS))
    sheet.append(row(**{"Mã số đăng ký": "1900999002", "Địa bàn": "Huyện Không Có"}))
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = run_import(resource_key="cooperatives", dataset=load_dataset(buffer.getvalue(), "a.xlsx"), dry_run=True)
    assert [e["row"] for e in outcome["errors"]] == [4]


def test_a_misspelt_optional_column_is_refused_with_the_nearest_header(units):
    headers = [*HEADERS[:2], "Ten viet tatt", *HEADERS[3:]]
    data = tablib.Dataset(row(**{"Tên viết tắt": "HTX NQ"}), headers=headers)
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
    assert not outcome["ok"]
    message = " ".join(outcome["errors"][0]["messages"])
    assert "“Ten viet tatt” không khớp với cột nào đã biết. Có phải là “Tên viết tắt”?" in message
    assert not Cooperative.objects.exists()


def test_a_code_with_a_stray_space_is_the_same_cooperative(hong_dan_commune):
    existing = CooperativeFactory(unit=hong_dan_commune, registration_code="5201000101", charter_capital=1)
    data = dataset(row(**{"Mã số đăng ký": " 5201000101\u00a0", "Tên": "Hợp tác xã\tNinh  Quới Mới"}))
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
    assert outcome["ok"] and outcome["updated"] == 1, outcome["errors"]
    existing.refresh_from_db()
    assert (existing.name, Cooperative.objects.count()) == ("Hợp tác xã Ninh Quới Mới", 1)


@pytest.mark.parametrize("cell", ["1900999001\x00", "Hợp tác xã\x1b Mới"])
def test_a_control_character_in_a_cell_is_an_error_on_that_row(units, cell):
    column = "Mã số đăng ký" if cell.startswith("19") else "Tên"
    data = dataset(row(**{"Mã số đăng ký": "1900999002"}), row(**{column: cell}))
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
    assert not outcome["ok"]
    assert [e["row"] for e in outcome["errors"]] == [3]
    assert "ký tự điều khiển" in outcome["errors"][0]["messages"][0]
    assert not Cooperative.objects.exists()


@settings(max_examples=examples(20))
@given(code=st.sampled_from([*range(0x00, 0x20), 0x7F]), where=st.integers(10, 21))  # after "Hợp tác xã"
@example(code=0x01, where=21)
@example(code=0x00, where=10)
@example(code=0x0D, where=10)
def test_a_control_character_written_the_way_excel_writes_it_is_judged_as_excel_shows_it(units, code, where):
    """Excel keeps a control character in a cell as _xHHHH_; openpyxl reads the escape back as plain text. A control
    character is an error on its row; one that is white space (tab, line breaks, separators) becomes a space."""
    name = "Hợp tác xã Thử Nghiệm"
    escaped = f"{name[:where]}_x{code:04X}_{name[where:]}"
    content = _xlsx([HEADERS, row(), row(**{"Mã số đăng ký": "1900999002", "Tên": escaped})])

    try:
        outcome = run_import(resource_key="cooperatives", dataset=load_dataset(content, "a.xlsx"), dry_run=False)
        if control_characters(chr(code)):
            assert [e["row"] for e in outcome["errors"]] == [3]
            assert any("ký tự điều khiển" in message for message in outcome["errors"][0]["messages"])
            assert not Cooperative.objects.exists()
        else:
            assert outcome["ok"], outcome["errors"]
            stored = Cooperative.objects.get(registration_code="1900999002").name
            assert stored == normalise(f"{name[:where]} {name[where:]}") and "_x" not in stored
    finally:
        Cooperative.objects.all().delete()  # the examples share the test's database


def _with_cached_values(content: bytes, values: dict[str, str]) -> bytes:
    """Excel stores a formula's last result beside it; openpyxl writes none, so add it to the sheet's XML."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}")[^>]*>(<f>[^<]*</f>)<v\s*/?>(</v>)?', rf"\1>\2<v>{value}</v>", text)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_a_formula_imports_its_cached_value_and_a_formula_without_one_is_refused_on_its_row(units):
    capital = "G"  # Vốn điều lệ in OFFICE_HEADERS
    rows = [office_row(1, **{"Vốn điều lệ (đồng)": "=1500*1000000"}), office_row(2, **{"Vốn điều lệ (đồng)": "=A1*2"})]
    content = _with_cached_values(office_workbook(list(OFFICE_HEADERS), rows), {f"{capital}5": "1500000000"})
    outcome = run_import(resource_key="cooperatives", dataset=load_dataset(content, "a.xlsx"), dry_run=False)
    assert [e["row"] for e in outcome["errors"]] == [6]
    assert "công thức chưa có giá trị (=A1*2)" in outcome["errors"][0]["messages"][0]
    assert not Cooperative.objects.exists()
    content = _with_cached_values(office_workbook(list(OFFICE_HEADERS), rows[:1]), {f"{capital}5": "1500000000"})
    assert run_import(resource_key="cooperatives", dataset=load_dataset(content, "a.xlsx"), dry_run=False)["ok"]
    assert Cooperative.objects.get().charter_capital == Decimal("1500000000")


@pytest.mark.parametrize("cell", [45366, 45366.0, "45366", date(2024, 3, 15), "15/03/2024", "15-3-2024"])
def test_a_date_column_takes_excel_serials_date_cells_and_dd_mm_yyyy(units, cell):
    content = office_workbook(list(OFFICE_HEADERS), [office_row(1, **{"Ngày cấp đăng ký": cell})])
    outcome = run_import(resource_key="cooperatives", dataset=load_dataset(content, "a.xlsx"), dry_run=False)
    assert outcome["ok"], outcome["errors"]
    assert Cooperative.objects.get().certificate_date == date(2024, 3, 15)


def test_a_bare_year_in_a_date_column_is_refused_not_read_as_1905(units):
    outcome = run_import(resource_key="cooperatives", dataset=dataset(row(**{"Ngày cấp đăng ký": 2024})), dry_run=True)
    assert "“2024” không phải là ngày" in " ".join(outcome["errors"][0]["messages"])


# --- Property: any office layout of the same data imports the same, or names the right rows -------------------------

PROPERTY_COLUMNS = {
    "Mã số đăng ký": ("Mã số đăng ký", "Mã số HTX", "Mã HTX"),
    "Tên": ("Tên", "Tên HTX", "Tên hợp tác xã"),
    "Địa bàn": ("Địa bàn", "Xã"),
    "Lĩnh vực": ("Lĩnh vực", "Lĩnh vực hoạt động"),
    "Vốn điều lệ (đồng)": ("Vốn điều lệ (đồng)", "Vốn điều lệ"),
    "Người đại diện theo pháp luật": ("Người đại diện theo pháp luật", "Người đại diện"),
}
SPELLINGS = [str, str.upper, str.lower, lambda h: fold(h), lambda h: "  " + h.replace(" ", "   ") + " "]
PLACES = ["Xã Ninh Quới", "Xã Ninh Quới A", "Phường 1"]


@st.composite
def office_sheets(draw):
    """Clean records, and a sheet holding them as an office might: titles, blank rows, its own headers and order,
    stray spaces, some rows made bad."""
    count = draw(st.integers(1, 4))
    records = [
        {
            "Mã số đăng ký": f"19009991{n:02d}",
            "Tên": "Hợp tác xã " + draw(st.sampled_from(["Nông nghiệp", "Thủy sản", "Muối"])) + f" Thử {n}",
            "Địa bàn": draw(st.sampled_from(PLACES)),
            "Lĩnh vực": "Trồng trọt",
            "Vốn điều lệ (đồng)": draw(st.integers(0, 10**10)),
            "Người đại diện theo pháp luật": draw(st.sampled_from(["Nguyễn Văn Mẫu", "Trần Thị Lan"])),
        }
        for n in range(count)
    ]
    bad = draw(st.sets(st.integers(0, count - 1), max_size=count))
    order = draw(st.permutations(list(PROPERTY_COLUMNS)))
    header = [draw(st.sampled_from(SPELLINGS))(draw(st.sampled_from(PROPERTY_COLUMNS[c]))) for c in order]
    titles = draw(st.integers(0, 6))
    lines = [["BÁO CÁO DANH SÁCH HTX"] if t == 0 else [] for t in range(titles)] + [header]
    expected_errors = []
    for n, record in enumerate(records):
        lines += [[]] * draw(st.integers(0, 2))
        cells = []
        for column in order:
            value = record[column]
            if isinstance(value, str) and draw(st.booleans()):
                value = " " + value.replace(" ", "  ") + "\u00a0"
            if column == "Vốn điều lệ (đồng)" and n in bad:
                value = "năm trăm"
            cells.append(value)
        lines.append(cells)
        if n in bad:
            expected_errors.append(len(lines))
    return records, lines, expected_errors


def _xlsx(lines) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for number, cells in enumerate(lines, start=1):
        for index, value in enumerate(cells, start=1):
            book.active.cell(number, index, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(max_examples=examples(25))
@given(sheet=office_sheets())
def test_any_office_layout_imports_the_clean_data_or_names_the_bad_rows(units, sheet):
    records, lines, expected_errors = sheet
    try:
        outcome = run_import(resource_key="cooperatives", dataset=load_dataset(_xlsx(lines), "a.xlsx"), dry_run=False)
        stored = Cooperative.objects.filter(registration_code__startswith="19009991")
        if expected_errors:
            assert [e["row"] for e in outcome["errors"]] == expected_errors
            assert not stored.exists()
        else:
            assert outcome["ok"], outcome["errors"]
            got = {
                c.registration_code: (c.name, c.unit.name, c.charter_capital, c.legal_representative)
                for c in stored.select_related("unit")
            }
            assert got == {
                r["Mã số đăng ký"]: (
                    r["Tên"],
                    r["Địa bàn"],
                    r["Vốn điều lệ (đồng)"],
                    r["Người đại diện theo pháp luật"],
                )
                for r in records
            }
    finally:
        Cooperative.objects.filter(registration_code__startswith="19009991").delete()


def test_an_ordinary_office_sheet_is_read_and_the_page_names_the_columns_it_ignored(
    client, alliance_staff, units, settings, tmp_path, django_capture_on_commit_callbacks
):
    header = ["STT", "Tên HTX", "Mã số", "Xã", "Huyện", "Tỉnh", "Lĩnh vực", "Ghi chú"]
    rows = [[1, "Hợp tác xã Lúa Tôm", "1900999001", "Xã Ninh Quới", "Huyện Hồng Dân", "Bạc Liêu", "Trồng trọt", "mới"]]
    content = office_workbook(header, rows)
    outcome = run_import(resource_key="cooperatives", dataset=load_dataset(content, "a.xlsx"), dry_run=True)
    assert outcome["ok"], outcome["errors"]
    assert outcome["ignored"] == ["Huyện", "Tỉnh", "Ghi chú"]
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alliance_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/hop-tac-xa/quan-ly/nhap-du-lieu/",
            {"resource": "cooperatives", "file": SimpleUploadedFile("danh-sach.xlsx", content)},
        )
    page = client.get(response.url).content.decode()
    assert "Các cột được bỏ qua, không nhập: “Huyện”, “Tỉnh”, “Ghi chú”." in page
    assert "Xác nhận nhập 1 dòng" in page


def test_a_congress_sheet_still_reads_its_own_notes_column(units, hong_dan_commune):
    CooperativeFactory(unit=hong_dan_commune, registration_code="5201000101")
    data = tablib.Dataset(
        ["5201000101", "Đại hội thành viên thường niên", "2023", "20/03/2024", "Họp tại hội trường", "Hồng Dân"],
        headers=["Mã số đăng ký", "Loại đại hội", "Năm tài chính", "Ngày tổ chức", "Ghi chú", "Huyện"],
    )
    outcome = run_import(resource_key="congresses", dataset=data, dry_run=False)
    assert outcome["ok"], outcome["errors"]
    assert outcome["ignored"] == ["Huyện"]
    assert Congress.objects.get().notes == "Họp tại hội trường"


def test_a_dissolved_row_without_its_date_is_refused(units):
    data = dataset(row(**{"Tình trạng": "Đã giải thể"}), row(**{"Mã số đăng ký": "1900999002"}))
    outcome = run_import(resource_key="cooperatives", dataset=data, dry_run=False)
    assert [e["row"] for e in outcome["errors"]] == [2]
    assert outcome["errors"][0]["messages"] == [
        "Tình trạng từ ngày: Hãy ghi ngày bắt đầu của tình trạng “Đã giải thể”."
    ]
    assert not Cooperative.objects.exists()
