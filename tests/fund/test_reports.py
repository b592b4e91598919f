"""Portfolio reports as of any date, nightly snapshots, exports."""

import io
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from fund import reports, tasks
from fund.models import DisbursementPlan, LoanSnapshot

from .factories import CooperativeFactory, ProductFactory, booked_loan, pay

D = Decimal
ON = date(2024, 6, 30)


def portfolio_book(by):
    """Three loans: current, about 40 days late, about 135 days late (instalments due on the 15th)."""
    current = booked_loan(by=by, on=date(2024, 1, 15), cooperative=CooperativeFactory(name="Hợp tác xã Ninh Quới"))
    for month in range(2, 7):
        pay(current, date(2024, month, 15), 20_000_000)
    late = booked_loan(by=by, on=date(2024, 1, 15), amount=D(60_000_000), product=current.product)
    for month in range(2, 6):
        pay(late, date(2024, month, 15), 5_600_000)
    bad = booked_loan(
        by=by, on=date(2024, 1, 15), amount=D(24_000_000), cooperative=CooperativeFactory(sector="aquaculture")
    )
    pay(bad, date(2024, 2, 15), 2_240_000)
    return current, late, bad


def test_days_past_due_and_groups_in_the_report(fund_officer):
    current, late, bad = portfolio_book(fund_officer)
    report = reports.portfolio(ON)
    by_code = {line.loan.code: line for line in report.lines}
    assert by_code[current.code].days_past_due == 0
    assert by_code[late.code].debt_group == 2 and 10 <= by_code[late.code].days_past_due <= 90
    assert by_code[bad.code].debt_group == 3 and by_code[bad.code].days_past_due == (ON - date(2024, 3, 15)).days
    assert [x.loan.code for x in report.overdue] == [bad.code, late.code]


def test_par30_is_the_outstanding_of_loans_over_30_days_late_over_all_outstanding(fund_officer):
    portfolio_book(fund_officer)
    report = reports.portfolio(ON)
    at_risk = sum(x.outstanding_principal for x in report.lines if x.days_past_due > 30)
    assert report.par30 == (at_risk * 100 / report.total.outstanding).quantize(D("0.01"))
    assert report.par30 > 0


def test_ageing_buckets_and_groups_add_up_to_the_portfolio(fund_officer):
    portfolio_book(fund_officer)
    report = reports.portfolio(ON)
    assert sum(b.outstanding for b in report.ageing) == report.total.outstanding
    assert sum(g.outstanding for g in report.groups) == report.total.outstanding
    assert sum(u.outstanding for u in report.by_unit) == report.total.outstanding
    assert sum(s.outstanding for s in report.by_sector) == report.total.outstanding
    assert sum(p.loans for p in report.by_product) == 3


def test_disbursement_progress_against_the_years_plan(fund_officer):
    portfolio_book(fund_officer)
    DisbursementPlan.objects.create(year=2024, amount=D(408_000_000))
    report = reports.portfolio(ON)
    assert report.disbursed_in_year == D(204_000_000)
    assert report.plan_pct == D("50.0")
    assert report.total.disbursed_in_period == D(204_000_000)


def test_a_report_as_of_a_past_date_equals_its_snapshot(fund_officer):
    current, late, bad = portfolio_book(fund_officer)
    assert tasks.snapshot_portfolio.delay(ON.isoformat()).get() == 3
    # Later events must not change the past: payments and a new loan after the snapshot date.
    pay(late, ON + timedelta(days=5), 30_000_000)
    pay(bad, ON + timedelta(days=9), 5_000_000)
    booked_loan(by=fund_officer, on=ON + timedelta(days=3), product=ProductFactory())
    live = reports.portfolio(ON, source="live")
    stored = reports.portfolio(ON, source="snapshot")
    assert reports.portfolio(ON).source == "snapshot"
    fields = reports.LINE_FIELDS
    assert [(x.loan.code, [getattr(x, f) for f in fields]) for x in live.lines] == [
        (x.loan.code, [getattr(x, f) for f in fields]) for x in stored.lines
    ]
    assert live.total == stored.total and live.par30 == stored.par30 and live.provision == stored.provision
    assert [vars(t) for t in live.by_unit] == [vars(t) for t in stored.by_unit]
    assert [vars(t) for t in live.groups] == [vars(t) for t in stored.groups]
    assert reports.portfolio(ON + timedelta(days=10)).total != live.total


def test_the_snapshot_task_run_twice_stores_one_row_per_loan_and_day(fund_officer):
    portfolio_book(fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    tasks.snapshot_portfolio(ON.isoformat())
    assert LoanSnapshot.objects.filter(on=ON).count() == 3


def test_the_snapshot_task_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["fund-snapshot-portfolio"]
    assert entry["task"] == "fund.tasks.snapshot_portfolio"


def test_the_xlsx_export_has_every_table(client, fund_officer):
    current, late, bad = portfolio_book(fund_officer)
    client.force_login(fund_officer)
    response = client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024", "xuat": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo địa bàn",
        "Theo lĩnh vực",
        "Theo sản phẩm",
        "Tuổi nợ",
        "Nhóm nợ",
        "Nợ quá hạn",
        "Nợ đã xóa (ngoại bảng)",
    ]
    overdue = [row[0] for row in book["Nợ quá hạn"].iter_rows(min_row=2, values_only=True)]
    assert overdue == [bad.code, late.code]


def _pdf_text(content: bytes) -> str:
    """The PDF's text with line breaks from table wrapping folded into spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_pdf_report_keeps_vietnamese_names(client, fund_officer):
    portfolio_book(fund_officer)
    client.force_login(fund_officer)
    response = client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024", "xuat": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "BÁO CÁO DANH MỤC CHO VAY ĐẾN NGÀY 30/06/2024" in text
    assert "Nhóm 3: Nợ dưới tiêu chuẩn" in text
    assert "Thủy sản" in text


def test_the_schedule_pdf_lists_every_instalment_with_the_borrowers_name(client, fund_officer):
    loan = booked_loan(by=fund_officer, cooperative=CooperativeFactory(name="Hợp tác xã Thủy sản Gành Hào"))
    client.force_login(fund_officer)
    response = client.get(f"/quy-ho-tro/quan-ly/ho-so/{loan.pk}/lich-tra-no.pdf")
    text = _pdf_text(response.content)
    assert "LỊCH TRẢ NỢ" in text and "Hợp tác xã Thủy sản Gành Hào" in text
    assert "15/01/2025" in text and "10.000.000" in text and "1.200.000" in text


PAR30_WORDS = "Tỷ lệ dư nợ quá hạn trên 30 ngày (PAR30)"


def _written_out_at_first_use(text: str) -> bool:
    """PAR30 appears first inside its Vietnamese name, whatever the letter case of that name's first word."""
    first = text.find("PAR30")
    words = PAR30_WORDS.lower()
    return first >= 0 and text.lower().find(words) == first - len(words) + len("(PAR30)") - 1


def test_par30_is_written_out_in_vietnamese_at_first_use_in_the_page_pdf_and_xlsx(client, fund_officer):
    portfolio_book(fund_officer)
    client.force_login(fund_officer)
    html = client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024"}).content.decode()
    assert _written_out_at_first_use(html)
    pdf = client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024", "xuat": "pdf"}).content
    assert _written_out_at_first_use(_pdf_text(pdf))
    book = load_workbook(io.BytesIO(client.get("/quy-ho-tro/bao-cao/", {"ngay": "30/06/2024", "xuat": "xlsx"}).content))
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
    assert _written_out_at_first_use(" ".join(cells))
