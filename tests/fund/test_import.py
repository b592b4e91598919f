"""Import of the existing loan book: all or nothing, every bad row listed."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from fund.loanbook import SHEETS
from fund.models import Disbursement, Loan, MemberBorrower, Payment

from .factories import CooperativeFactory, ProductFactory

URL = "/quy-ho-tro/quan-ly/nhap-so-vay/"


def workbook(loans, disbursements, payments) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in zip(SHEETS, (loans, disbursements, payments), strict=True):
        sheet = book.create_sheet(name)
        sheet.append(SHEETS[name])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "so-cho-vay.xlsx"
    return out


def loan_row(code, coop, product, **changes):
    row = {
        "code": code,
        "reg": coop.registration_code,
        "member": "",
        "id": "",
        "product": product.code,
        "project": "Nuôi tôm",
        "cost": 200_000_000,
        "own": 80_000_000,
        "amount": 120_000_000,
        "term": 12,
        "rate": 12,
        "approved": "05/01/2024",
        "contract": "01/HĐ",
        "signed": "10/01/2024",
    }
    row.update(changes)
    return list(row.values())


def test_a_good_loan_book_is_imported_with_its_history(client, fund_officer):
    coop, product = CooperativeFactory(), ProductFactory()
    upload = workbook(
        [
            loan_row("CU-001", coop, product),
            loan_row(
                "CU-002",
                coop,
                product,
                member="Lê Văn Nam",
                id="095000111222",
                amount=24_000_000,
                cost=40_000_000,
                own=16_000_000,
            ),
        ],
        [("CU-001", "15/01/2024", 120_000_000), ("CU-002", date(2024, 1, 15), 24_000_000)],
        [("CU-001", "15/02/2024", 11_200_000), ("CU-001", "15/03/2024", "11.100.000")],
    )
    client.force_login(fund_officer)
    response = client.post(URL, {"file": upload})
    assert response.status_code == 302, response.content.decode()[-2000:]
    loan = Loan.objects.with_events().get(code="CU-001")
    assert loan.status == Loan.Status.REPAYING and loan.disbursed_total() == Decimal(120_000_000)
    assert loan.state(date(2024, 3, 15)).outstanding_principal == Decimal(100_000_000)
    assert Payment.objects.count() == 2
    assert MemberBorrower.objects.get(id_number="095000111222").cooperative == coop
    assert Loan.objects.get(code="CU-002").member.full_name == "Lê Văn Nam"


def test_a_book_with_bad_rows_imports_nothing_and_lists_every_bad_row(client, fund_officer):
    coop, product = CooperativeFactory(), ProductFactory()
    upload = workbook(
        [
            loan_row("CU-001", coop, product),
            loan_row("CU-002", coop, product, reg="KHONG-CO"),
            loan_row("CU-003", coop, product, amount="một trăm"),
            loan_row("CU-004", coop, product, own=300_000_000),
        ],
        [("CU-001", "15/01/2024", 120_000_000), ("CU-999", "15/01/2024", 1_000_000)],
        [("CU-001", "32/02/2024", 11_200_000), ("CU-001", "15/03/2024", 500_000_000)],
    )
    client.force_login(fund_officer)
    response = client.post(URL, {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Khoản vay, dòng 3: không có HTX mã KHONG-CO trong sổ đăng ký." in html
    assert "Khoản vay, dòng 4: số tiền, thời hạn, lãi suất hoặc ngày (dd/mm/yyyy) không hợp lệ." in html
    assert "Khoản vay, dòng 5: vốn đối ứng lớn hơn tổng vốn." in html
    assert "Giải ngân, dòng 3: số hồ sơ CU-999 không có trong trang “Khoản vay”." in html
    assert "Trả nợ, dòng 2: ngày (dd/mm/yyyy) hoặc số tiền không hợp lệ." in html
    assert "Khoản vay CU-001: số tiền đã trả vượt quá số phải trả." in html
    assert not Loan.objects.exists() and not Disbursement.objects.exists() and not Payment.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_in_words(client, fund_officer):
    client.force_login(fund_officer)
    fake = io.BytesIO(b"not,a,workbook\n")
    fake.name = "so.xlsx"
    response = client.post(URL, {"file": fake})
    assert response.status_code == 400 and "không đúng định dạng cho phép (Excel .xlsx)" in response.content.decode()


def test_a_workbook_without_the_sheets_is_refused_in_words(client, fund_officer):
    client.force_login(fund_officer)
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    html = client.post(URL, {"file": out}).content.decode()
    assert "Thiếu trang tính “Khoản vay”." in html


def test_the_template_workbook_has_the_three_sheets(client, fund_officer):
    from openpyxl import load_workbook

    client.force_login(fund_officer)
    book = load_workbook(io.BytesIO(client.get(URL, {"mau": 1}).content))
    assert book.sheetnames == list(SHEETS)


def test_alliance_staff_cannot_import(client, alliance_staff):
    client.force_login(alliance_staff)
    assert client.get(URL).status_code == 403


def office_loan_book(coop, product) -> io.BytesIO:
    """The fund's own book: titles above each sheet, its own header names, blank rows, a serial date, a misspelt
    sheet name's case, and one bad payment after a blank row."""
    book = Workbook()
    book.remove(book.active)
    loans = book.create_sheet("KHOẢN VAY")
    loans.append(["SỔ CHO VAY QUỸ HỖ TRỢ PHÁT TRIỂN HTX"])
    loans.append([])
    loans.append(
        ["STT", "Số HS", "MÃ SỐ HTX", "Thành viên vay", "CCCD", "Sản phẩm", "Dự án", "Tổng vốn", "Vốn tự có"]
        + ["Số tiền cho vay", "Thời hạn", "Lãi suất", "Ngày duyệt", "Số HĐ", "Ngày ký HĐ"]
    )
    loans.append(
        [1, " CU-101 ", coop.registration_code, "", "", product.code, "Nuôi  tôm", 200_000_000, 80_000_000]
        + [120_000_000, 12, 12, 45296, "01/HĐ", "10/01/2024"]
    )  # 45296 is 05/01/2024
    disbursements = book.create_sheet("Giải ngân")
    disbursements.append(["Danh sách giải ngân"])
    disbursements.append(["Số hồ sơ", "Ngày GN", "Số tiền"])
    disbursements.append(["CU-101", "15/01/2024", 120_000_000])
    payments = book.create_sheet("Trả nợ")
    payments.append(["Số hồ sơ", "Ngày trả nợ", "Số tiền trả"])
    payments.append(["CU-101", "15/02/2024", 10_000_000])
    payments.append([])
    payments.append(["CU-101", "31/02/2024", 10_000_000])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "so-cho-vay.xlsx"
    return out


def test_an_office_loan_book_is_read_under_its_titles_and_names_the_sheets_own_rows(client, fund_officer):
    client.force_login(fund_officer)
    coop, product = CooperativeFactory(), ProductFactory()
    response = client.post(URL, {"file": office_loan_book(coop, product)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Trả nợ, dòng 4: ngày (dd/mm/yyyy) hoặc số tiền không hợp lệ." in html
    assert html.count(", dòng ") == 1 and not Loan.objects.exists()


def test_an_office_loan_book_without_its_bad_row_is_imported(client, fund_officer):
    from fund import loanbook

    coop, product = CooperativeFactory(), ProductFactory()
    upload = office_loan_book(coop, product)
    book = __import__("openpyxl").load_workbook(upload)
    book["Trả nợ"].delete_rows(3, 2)
    upload = io.BytesIO()
    book.save(upload)
    [loan] = loanbook.import_loan_book(upload=upload, by=fund_officer)
    assert (loan.code, loan.project_name, loan.approved_on) == ("CU-101", "Nuôi tôm", date(2024, 1, 5))
    assert loan.payments.count() == 1


def test_a_misspelt_loan_book_column_is_refused_with_the_nearest_header(fund_officer):
    from fund import loanbook

    coop, product = CooperativeFactory(), ProductFactory()
    upload = office_loan_book(coop, product)
    book = __import__("openpyxl").load_workbook(upload)
    book["KHOẢN VAY"]["L3"] = "Lãi xuất"
    upload = io.BytesIO()
    book.save(upload)
    with pytest.raises(loanbook.ImportRejected) as rejected:
        loanbook.import_loan_book(upload=upload, by=fund_officer)
    assert rejected.value.errors == [
        "Trang “Khoản vay”: cột L “Lãi xuất” không khớp với cột nào đã biết. Có phải là “Lãi suất (%/năm)”?",
        "Trang “Khoản vay” thiếu cột: Lãi suất (%/năm). Hãy dùng tệp mẫu.",
    ]


def test_an_imported_loan_carries_the_overdue_ceiling_in_force_at_approval(fund_officer):
    from fund import loanbook
    from fund.models import FundThreshold

    coop, product = CooperativeFactory(), ProductFactory(overdue_multiplier=Decimal("1.5"))
    FundThreshold.objects.create(
        key="overdue_multiple_max", value=Decimal("1.3"), valid_from=date(2023, 1, 1), legal_source="Thử"
    )
    FundThreshold.objects.create(
        key="overdue_multiple_max", value=Decimal("1.5"), valid_from=date(2025, 1, 1), legal_source="Thử"
    )
    upload = workbook([loan_row("CU-9", coop, product)], [], [])
    [loan] = loanbook.import_loan_book(upload=upload, by=fund_officer)
    assert loan.overdue_multiplier == Decimal("1.3")


def test_a_product_import_runs_the_products_own_checks(db):
    import tablib

    from fund.admin import LoanProductAdmin
    from fund.resources import LoanProductResource

    fields = LoanProductResource.Meta.fields
    row = ["SP-X", "Sản phẩm thử", 500_000_000, 36, "7.2", "declining", "monthly_rate", "monthly"]
    row += ["equal_principal", 0, "3", 20, 1]
    result = LoanProductResource().import_data(tablib.Dataset(row, headers=fields), dry_run=True)
    assert result.has_validation_errors()
    messages = " ".join(str(m) for r in result.invalid_rows for ms in r.error_dict.values() for m in ms)
    assert "Lãi quá hạn không vượt quá 1,5 lần" in messages
    assert [f.__name__ for f in LoanProductAdmin.import_formats] == ["XLSX", "CSV"]
