"""Every table of one portfolio report adds up to the same totals; written-off loans are reported apart."""

import io
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fund import demo as fund_demo
from fund import reports, tasks
from fund.models import Disbursement, Loan
from tests.properties import examples

from .factories import CooperativeFactory, ProductFactory, UnitFactory, booked_loan, pay
from .test_reports import _pdf_text

D = Decimal
S = Loan.Status
ON = date(2024, 12, 31)


def table_sums(rows):
    return (
        sum(t.loans for t in rows),
        sum(t.outstanding for t in rows),
        sum(t.disbursed_in_period for t in rows),
        sum(t.overdue for t in rows),
    )


def assert_tables_add_up(report):
    total = report.total
    expected = (total.loans, total.outstanding, total.disbursed_in_period, total.overdue)
    for name in ("by_unit", "by_sector", "by_product", "ageing", "groups"):
        rows = getattr(report, name)
        assert table_sums(rows) == expected, name
        for row in rows:
            assert row.overdue <= row.outstanding, (name, row.label)
    assert sum(x.overdue_principal for x in report.overdue) == total.overdue
    on_book = [x for x in report.lines if x.status != S.WRITTEN_OFF]
    assert sum(x.outstanding_principal for x in on_book) == total.outstanding
    assert sum(x.provision for x in on_book) == report.provision
    assert all(x.status != S.WRITTEN_OFF for x in report.overdue)
    off = report.off_balance
    assert off.loans == len([x for x in report.lines if x.status == S.WRITTEN_OFF]) == len(off.lines)
    disbursed = Disbursement.objects.filter(disbursed_on__range=(report.start, report.on)).aggregate(s=Sum("amount"))
    assert total.disbursed_in_period + off.disbursed_in_period == (disbursed["s"] or 0)
    # "Disbursed in the year" is split the way the tables are: on-balance + off-balance = all of the year's.
    in_year = Disbursement.objects.filter(disbursed_on__year=report.on.year, disbursed_on__lte=report.on)
    assert report.disbursed_in_year == (in_year.aggregate(s=Sum("amount"))["s"] or 0)
    assert report.disbursed_in_year_on_balance + report.disbursed_in_year_off_balance == report.disbursed_in_year
    if report.start == date(report.on.year, 1, 1):
        assert report.disbursed_in_year_on_balance == total.disbursed_in_period
        assert report.disbursed_in_year_off_balance == off.disbursed_in_period


LOANS = st.lists(
    st.fixed_dictionaries(
        {
            "start": st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 11, 30)),
            "millions": st.integers(min_value=12, max_value=600),
            "paid": st.integers(min_value=0, max_value=24),
            "written_off_after": st.none() | st.integers(min_value=1, max_value=400),
            "recovered": st.integers(min_value=0, max_value=5),
            "unit": st.integers(0, 2),
            "sector": st.sampled_from(["crops", "aquaculture", "trade"]),
            "product": st.integers(0, 1),
        }
    ),
    min_size=1,
    max_size=6,
)


def build(by, specs):
    units = [UnitFactory(code=f"TT{n}", name=f"Huyện Tổng {n}") for n in range(3)]
    products = [ProductFactory(), ProductFactory()]
    for spec in specs:
        coop = CooperativeFactory(unit=units[spec["unit"]], sector=spec["sector"], congresses=False)
        amount = D(spec["millions"] * 1_000_000)
        product = products[spec["product"]]
        loan = booked_loan(by=by, on=spec["start"], amount=amount, term=24, product=product, cooperative=coop)
        schedule = Loan.objects.with_events().get(pk=loan.pk).planned_schedule()
        for row in schedule[: spec["paid"]]:
            if row.due_date <= ON:
                pay(loan, row.due_date, row.total)
        if spec["written_off_after"] is not None:
            off = spec["start"] + timedelta(days=spec["written_off_after"])
            Loan.objects.filter(pk=loan.pk).update(status=S.WRITTEN_OFF, closed_on=off, write_off_reason="Giải thể.")
            if spec["recovered"] and off + timedelta(days=10) <= ON:
                pay(loan, off + timedelta(days=10), spec["recovered"] * 1_000_000)


@settings(max_examples=examples(30))
@given(specs=LOANS)
def test_every_table_of_a_random_portfolio_adds_up_to_the_same_totals(fund_officer, specs):
    with transaction.atomic():
        build(fund_officer, specs)
        tasks.snapshot_portfolio(ON.isoformat())
        for source in ("auto", "live"):
            assert_tables_add_up(reports.portfolio(ON, source=source))
            assert_tables_add_up(reports.portfolio(ON, start=date(2023, 1, 1), source=source))
        transaction.set_rollback(True)


def written_off_book(by):
    """One loan on the book, about 100 days late; one written off with 80.000.000 đ unpaid, 3.000.000 đ recovered."""
    coop = CooperativeFactory(sector="aquaculture")
    late = booked_loan(by=by, on=date(2024, 1, 15), amount=D(60_000_000), cooperative=coop)
    pay(late, date(2024, 2, 15), 5_600_000)
    gone = booked_loan(by=by, on=date(2024, 1, 15), amount=D(120_000_000), cooperative=coop, product=late.product)
    for month in range(2, 6):
        pay(gone, date(2024, month, 15), 10_000_000 + (120 - 10 * (month - 2)) * 10_000)
    Loan.objects.filter(pk=gone.pk).update(status=S.WRITTEN_OFF, closed_on=date(2024, 6, 1), write_off_reason="X")
    pay(gone, date(2024, 6, 20), 3_000_000)
    return late, gone


def test_a_written_off_loan_is_off_balance_in_every_table(fund_officer):
    late, gone = written_off_book(fund_officer)
    report = reports.portfolio(date(2024, 6, 30))
    assert_tables_add_up(report)
    assert report.total.outstanding == report.by_sector[0].outstanding
    assert report.by_sector[0].overdue <= report.by_sector[0].outstanding
    assert report.total.loans == 1
    off = report.off_balance
    assert (off.loans, off.principal, off.recovered) == (1, D(80_000_000), D(3_000_000))
    assert [x.loan.code for x in off.lines] == [gone.code]


def test_the_written_off_figures_are_the_same_from_the_snapshot(fund_officer):
    written_off_book(fund_officer)
    tasks.snapshot_portfolio("2024-06-30")
    stored = reports.portfolio(date(2024, 6, 30))
    assert stored.source == "snapshot"
    live = reports.portfolio(date(2024, 6, 30), source="live")
    for report in (stored, live):
        off = report.off_balance
        assert (off.loans, off.principal, off.recovered) == (1, D(80_000_000), D(3_000_000))


def test_the_page_the_xlsx_and_the_pdf_report_written_off_loans_apart(client, fund_officer):
    late, gone = written_off_book(fund_officer)
    client.force_login(fund_officer)
    query = {"ngay": "30/06/2024"}
    page = client.get("/quy-ho-tro/bao-cao/", query).content.decode()
    assert "Nợ đã xóa, theo dõi ngoại bảng" in page and gone.code in page and "80.000.000" in page
    book = load_workbook(io.BytesIO(client.get("/quy-ho-tro/bao-cao/", {**query, "xuat": "xlsx"}).content))
    sheet = [row for row in book["Nợ đã xóa (ngoại bảng)"].iter_rows(min_row=2, values_only=True)]
    assert sheet[0][0] == gone.code and sheet[0][4:6] == (80_000_000, 3_000_000)
    report = reports.portfolio(date(2024, 6, 30))
    totals = {
        name: [row for row in book[name].iter_rows(min_row=2, values_only=True)][-1]
        for name in ("Theo địa bàn", "Theo lĩnh vực", "Theo sản phẩm", "Tuổi nợ", "Nhóm nợ")
    }
    expected = ("Cộng", 1, report.total.outstanding, report.total.disbursed_in_period, report.total.overdue)
    assert set(totals.values()) == {expected}
    overdue = [row for row in book["Nợ quá hạn"].iter_rows(min_row=2, values_only=True)]
    assert [row[0] for row in overdue] == [late.code]
    text = _pdf_text(client.get("/quy-ho-tro/bao-cao/", {**query, "xuat": "pdf"}).content)
    assert "Nợ đã xóa, theo dõi ngoại bảng" in text and gone.code in text and "80.000.000" in text


def test_every_table_of_the_demos_report_adds_up_to_the_same_overdue(demo):
    fund_demo.load(StringIO())
    today = timezone.localdate()
    report = reports.portfolio(today)
    overdue = {
        name: sum(t.overdue for t in getattr(report, name))
        for name in ("by_unit", "by_sector", "by_product", "ageing", "groups")
    }
    overdue["overdue_list"] = sum(x.overdue_principal for x in report.overdue)
    assert len(set(overdue.values())) == 1, overdue
    assert all(t.overdue <= t.outstanding for t in report.by_sector)
    assert [x.loan.code for x in report.off_balance.lines] == ["QHT-024"]
    assert_tables_add_up(report)
    month_end = today.replace(day=1) - timedelta(days=1)
    assert_tables_add_up(reports.portfolio(month_end))
