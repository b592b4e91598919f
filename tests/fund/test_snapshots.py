"""Snapshots are a cache of the replay: a report for any date equals the live replay, whatever was entered later."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from fund import reports, services, tasks
from fund.loanbook import import_loan_book
from fund.models import Disbursement, FundThreshold, Loan, LoanSnapshot, Payment
from tests.properties import examples

from .factories import CooperativeFactory, LoanFactory, ProductFactory, booked_loan, capital, pay
from .test_import import loan_row, workbook

D = Decimal
S = Loan.Status
ON = date(2024, 6, 30)


def figures(report):
    """Everything a report shows, loan by loan and table by table."""
    lines = [(x.loan.code, [getattr(x, f) for f in reports.LINE_FIELDS]) for x in report.lines]
    tables = [[vars(t) for t in rows] for rows in (report.by_unit, report.by_sector, report.by_product, report.ageing)]
    tables.append([vars(t) for t in report.groups])
    off = report.off_balance
    return lines, tables, vars(report.total), report.par30, report.provision, (off.loans, off.principal, off.recovered)


def assert_report_is_live(on):
    assert figures(reports.portfolio(on)) == figures(reports.portfolio(on, source="live"))


def test_a_backdated_payment_changes_the_report_for_an_earlier_date(fund_officer):
    loan = booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    pay(loan, date(2024, 3, 15), 30_000_000)  # recorded in July, dated March
    report = reports.portfolio(ON)
    assert report.lines[0].outstanding_principal == fresh_state(loan, ON).outstanding_principal
    assert report.lines[0].outstanding_principal < D(120_000_000)
    assert_report_is_live(ON)


def fresh_state(loan, on):
    return Loan.objects.with_events().get(pk=loan.pk).state(on)


def test_a_reversed_payment_changes_the_report_for_an_earlier_date(fund_officer):
    loan = booked_loan(by=fund_officer)
    payment = pay(loan, date(2024, 2, 15), 11_200_000, by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    services.repayment_reverse(payment=payment, reason="Nhập nhầm khoản vay.", by=fund_officer)
    assert reports.portfolio(ON).lines[0].outstanding_principal == D(120_000_000)
    assert_report_is_live(ON)


def test_a_loan_backdated_after_the_snapshot_is_in_the_report(fund_officer):
    booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    late_entry = booked_loan(by=fund_officer, on=date(2024, 3, 1), amount=D(50_000_000))
    report = reports.portfolio(ON)
    assert late_entry.code in [x.loan.code for x in report.lines]
    assert report.total.outstanding == reports.portfolio(ON, source="live").total.outstanding
    assert report.source == "mixed"


def test_an_imported_loan_is_in_the_report_for_past_dates(client, fund_officer):
    booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    coop, product = CooperativeFactory(), ProductFactory()
    upload = workbook([loan_row("CU-001", coop, product)], [["CU-001", "10/01/2024", 120_000_000]], [])
    import_loan_book(upload=upload, by=fund_officer)
    assert "CU-001" in [x.loan.code for x in reports.portfolio(ON).lines]
    assert_report_is_live(ON)


def test_a_backdated_write_off_leaves_the_reports_of_the_days_after_it(fund_officer):
    loan = booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    tasks.snapshot_portfolio(date(2024, 3, 31).isoformat())
    services.loan_write_off(loan=loan, on=date(2024, 4, 20), reason="Giải thể.", by=fund_officer)
    assert reports.portfolio(ON).off_balance.loans == 1
    assert reports.portfolio(date(2024, 3, 31)).source == "snapshot"  # before the write-off: still stored
    assert_report_is_live(ON)


def test_an_edit_that_moves_a_disbursement_earlier_drops_the_days_between(fund_officer):
    loan = booked_loan(by=fund_officer, on=date(2024, 6, 1))
    tasks.snapshot_portfolio(ON.isoformat())
    tasks.snapshot_portfolio(date(2024, 5, 31).isoformat())
    tranche = Disbursement.objects.get(loan=loan)
    tranche.disbursed_on = date(2024, 5, 1)  # corrected in the admin
    tranche.save()
    assert [x.loan.code for x in reports.portfolio(date(2024, 5, 31)).lines] == [loan.code]
    assert_report_is_live(ON)
    assert_report_is_live(date(2024, 5, 31))


def test_changed_terms_drop_every_stored_day_of_the_loan(fund_officer):
    loan = booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(date(2024, 2, 29).isoformat())
    loan.approved_rate = D("9")
    loan.save()
    assert not LoanSnapshot.objects.filter(loan=loan).exists()
    assert_report_is_live(date(2024, 2, 29))


def test_a_status_change_that_moves_no_figure_keeps_the_stored_rows(fund_officer):
    loan = booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    loan.status = S.SETTLED
    loan.save(update_fields=["status"])
    assert LoanSnapshot.objects.filter(loan=loan).count() == 1


def test_dropped_days_are_stored_again_once_the_change_commits(fund_officer, django_capture_on_commit_callbacks):
    loan = booked_loan(by=fund_officer)
    for day in (date(2024, 4, 30), ON):
        tasks.snapshot_portfolio(day.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        pay(loan, date(2024, 5, 15), 20_000_000)
    stored = LoanSnapshot.objects.get(loan=loan, on=ON)
    assert stored.outstanding_principal == fresh_state(loan, ON).outstanding_principal
    assert LoanSnapshot.objects.get(loan=loan, on=date(2024, 4, 30)).outstanding_principal == D(120_000_000)
    assert reports.portfolio(ON).source == "snapshot"


# Random sequences of events, each back-dated at random ---------------------------------------------------------

CHECK_DATES = [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31))
MILLIONS = st.integers(min_value=1, max_value=60).map(lambda n: D(n * 1_000_000))


class LoanBookMachine(RuleBasedStateMachine):
    """A loan book through the services and admin-like edits; after each step, for every checked date, the
    report read from snapshots equals the report replayed from the events."""

    officer = None

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each run starts from the test's database and leaves it as it found it
        capital()  # the lending caps are checked at each disbursement: the fund needs its charter capital
        self.loans: list[int] = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _loan(self, index) -> Loan:
        return Loan.objects.get(pk=self.loans[index % len(self.loans)])

    def _try(self, action, **kwargs):
        try:
            with transaction.atomic():
                action(by=self.officer, **kwargs)
        except ValidationError:
            pass  # the service refused (a rule of the fund): the book is unchanged

    @rule(day=DAYS, amount=st.sampled_from([D(60_000_000), D(120_000_000)]), whole=st.booleans())
    def open_loan(self, day, amount, whole):
        loan = LoanFactory(
            requested_amount=amount,
            total_cost=amount * 2,
            own_contribution=amount,
            received_on=day,
            status=S.CONTRACTED,
            approved_amount=amount,
            approved_term_months=12,
            approved_rate=D(12),
            frequency="monthly",
            amortization="equal_principal",
            rate_method="declining",
            approved_by=self.officer,
            approved_on=day,
            contract_number="HĐ-1",
            contract_signed_on=day,
        )
        services.loan_disburse(loan=loan, amount=amount if whole else amount / 2, on=day, by=self.officer)
        self.loans.append(loan.pk)

    @precondition(lambda self: self.loans)
    @rule(index=st.integers(0, 20), days_later=st.integers(0, 200))
    def disburse_the_rest(self, index, days_later):
        loan = self._loan(index)
        first = loan.disbursements.order_by("disbursed_on").first()
        rest = loan.approved_amount - loan.disbursed_total()
        if rest > 0:
            on = first.disbursed_on + timedelta(days=days_later)
            self._try(services.loan_disburse, loan=loan, amount=rest, on=on)

    @precondition(lambda self: self.loans)
    @rule(index=st.integers(0, 20), day=DAYS, amount=MILLIONS)
    def record_a_payment(self, index, day, amount):
        self._try(services.repayment_record, loan=self._loan(index), amount=amount, on=day)

    @precondition(lambda self: self.loans)
    @rule(index=st.integers(0, 20), which=st.integers(0, 20))
    def reverse_a_payment(self, index, which):
        payments = list(self._loan(index).payments.filter(reversed=False))
        if payments:
            payment = payments[which % len(payments)]
            self._try(services.repayment_reverse, payment=payment, reason="Ghi nhầm.")

    @precondition(lambda self: self.loans)
    @rule(index=st.integers(0, 20), which=st.integers(0, 20), day=DAYS)
    def correct_a_payments_date(self, index, which, day):
        payments = list(self._loan(index).payments.all())
        if payments:
            payment = payments[which % len(payments)]
            payment.paid_on = max(day, payment.loan.disbursements.order_by("disbursed_on").first().disbursed_on)
            payment.save()

    @precondition(lambda self: self.loans)
    @rule(index=st.integers(0, 20), day=DAYS, term=st.integers(3, 24))
    def restructure(self, index, day, term):
        self._try(services.loan_restructure, loan=self._loan(index), on=day, term_months=term, reason="Hạn mặn.")

    @precondition(lambda self: self.loans)
    @rule(index=st.integers(0, 20), day=DAYS)
    def write_off(self, index, day):
        self._try(services.loan_write_off, loan=self._loan(index), on=day, reason="Giải thể.")

    @rule(
        valid_from=st.sampled_from([date(2023, 6, 1), date(2024, 3, 1), date(2024, 9, 1)]),
        days=st.sampled_from([(5, 31, 91, 181), (30, 120, 240, 400)]),
    )
    def backdate_new_debt_group_days(self, valid_from, days):
        keys = ["group2_days", "group3_days", "group4_days", "group5_days"]
        for key, value in zip(keys, days, strict=True):
            FundThreshold.objects.update_or_create(
                key=key, valid_from=valid_from, defaults={"value": D(value), "legal_source": "Quyết định thử"}
            )

    @rule()
    def nightly_snapshots(self):
        for day in CHECK_DATES:
            tasks.snapshot_portfolio(day.isoformat())

    @invariant()
    def every_report_equals_the_live_replay(self):
        for day in CHECK_DATES:
            assert figures(reports.portfolio(day)) == figures(reports.portfolio(day, source="live")), day


@pytest.mark.property
def test_random_backdated_events_keep_every_report_equal_to_the_live_replay(fund_officer):
    LoanBookMachine.officer = fund_officer
    run_state_machine_as_test(LoanBookMachine, settings=settings(max_examples=examples(12), stateful_step_count=10))


def test_the_snapshot_run_stores_what_the_replay_gives_for_each_loan(fund_officer):
    loan = booked_loan(by=fund_officer)
    pay(loan, date(2024, 2, 15), 11_200_000)
    assert services.portfolio_snapshot(on=ON) == 1
    stored = LoanSnapshot.objects.get(loan=loan, on=ON)
    expected = services.snapshot_values(Loan.objects.with_events().get(pk=loan.pk), ON)
    assert {name: getattr(stored, name) for name in services.SNAPSHOT_FIELDS} == expected


def test_a_payment_row_needs_no_service_to_drop_stale_days(fund_officer):
    loan = booked_loan(by=fund_officer)
    tasks.snapshot_portfolio(ON.isoformat())
    Payment.objects.create(loan=loan, paid_on=date(2024, 1, 20), amount=D(5_000_000))  # as the import writes it
    assert not LoanSnapshot.objects.filter(loan=loan, on=ON).exists()


def test_a_restructuring_dated_before_the_disbursement_is_refused(fund_officer):
    # Found by the machine above: the replay cannot re-spread a tranche paid out after the restructuring.
    loan = booked_loan(by=fund_officer, on=date(2024, 6, 2))
    with pytest.raises(ValidationError, match="trước ngày giải ngân"):
        services.loan_restructure(loan=loan, on=date(2024, 1, 1), term_months=3, reason="Hạn mặn.", by=fund_officer)
    assert_report_is_live(ON)


def test_a_changed_day_count_drops_the_loans_stored_days(fund_officer):
    loan = booked_loan(by=fund_officer)
    services.portfolio_snapshot(on=date(2024, 6, 30))
    loan.day_count = "actual_365"
    loan.save()
    assert not LoanSnapshot.objects.filter(loan=loan).exists()


def test_a_backdated_threshold_drops_and_stores_again_the_days_it_changes(
    fund_officer, django_capture_on_commit_callbacks
):
    loan = booked_loan(by=fund_officer)
    services.portfolio_snapshot(on=date(2024, 3, 31))
    services.portfolio_snapshot(on=date(2024, 6, 30))
    before = LoanSnapshot.objects.get(loan=loan, on=date(2024, 6, 30)).debt_group
    with django_capture_on_commit_callbacks(execute=True):
        row = FundThreshold.objects.create(
            key="group3_days", value=D(175), valid_from=date(2024, 5, 1), legal_source="Quyết định thử"
        )
    stored = LoanSnapshot.objects.get(loan=loan, on=date(2024, 6, 30))
    assert stored.debt_group == fresh_state(loan, date(2024, 6, 30)).debt_group != before
    assert LoanSnapshot.objects.filter(loan=loan, on=date(2024, 3, 31)).exists()  # before the change: kept
    with django_capture_on_commit_callbacks(execute=True):
        row.valid_from = date(2024, 8, 1)  # moved later: the days from the old date change back
        row.save()
    assert_report_is_live(date(2024, 6, 30))


def test_the_migration_keeps_old_loans_on_the_monthly_rate_and_drops_stored_figures(fund_officer):
    from django.apps import apps

    migration = importlib.import_module("fund.migrations.0008_thresholds_and_day_count")
    old = booked_loan(by=fund_officer)
    Loan.objects.filter(pk=old.pk).update(day_count="")
    services.portfolio_snapshot(on=date(2024, 6, 30))
    migration.keep_monthly_rate(apps, None)
    migration.drop_snapshots(apps, None)
    assert Loan.objects.get(pk=old.pk).day_count == "monthly_rate"
    assert not LoanSnapshot.objects.exists()
