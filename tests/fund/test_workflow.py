"""The loan workflow through the services: every transition recorded, maker-checker, money rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from fund import services
from fund.models import Appraisal, Loan, LoanEvent, Restructuring
from portal.models import Agency, User

from .factories import CooperativeFactory, LoanFactory, application, booked_loan, fresh

S = Loan.Status
D = Decimal


@pytest.fixture
def hong_dan_agency(demo):
    return Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")


@pytest.fixture
def dong_hai_agency(demo):
    return Agency.objects.get(name="Ủy ban nhân dân Huyện Đông Hải")


@pytest.fixture
def second_fund_officer(demo):
    user = User.objects.create_user("quy2", password="x", agency=Agency.objects.get(kind="fund"), is_staff=True)
    user.groups.add(Group.objects.get(name="Cán bộ Quỹ"))
    return user


def appraised_loan(fund_officer, officer, agency, **kwargs):
    kwargs.setdefault("cooperative", CooperativeFactory(unit=agency.unit))  # the committee of the borrower's area
    loan = services.loan_receive(loan=application(**kwargs), by=fund_officer)
    [appraisal] = services.loan_send_to_appraisal(loan=loan, agencies=[agency], on=date(2024, 1, 5), by=fund_officer)
    services.appraisal_record(appraisal=appraisal, recommendation="approve", opinion="Khả thi.", by=officer)
    return fresh(loan)


def test_a_loan_goes_from_application_to_settlement_and_every_step_is_recorded(
    fund_capital, fund_officer, officer_hong_dan, hong_dan_agency
):
    coop = CooperativeFactory(unit=hong_dan_agency.unit)
    loan = appraised_loan(fund_officer, officer_hong_dan, hong_dan_agency, cooperative=coop, requested_term_months=3)
    appraisal = loan.appraisals.get()
    assert appraisal.recorded_by == officer_hong_dan and appraisal.recorded_at is not None
    services.loan_approve(
        loan=loan, amount=D(90_000_000), term_months=3, rate=D(12), on=date(2024, 1, 10), by=fund_officer
    )
    services.loan_sign_contract(loan=fresh(loan), number="01/2024/HĐTD", on=date(2024, 1, 12), by=fund_officer)
    services.loan_disburse(loan=fresh(loan), amount=D(60_000_000), on=date(2024, 1, 15), by=fund_officer)
    assert fresh(loan).status == S.DISBURSING
    services.loan_disburse(loan=fresh(loan), amount=D(30_000_000), on=date(2024, 1, 20), by=fund_officer)
    assert fresh(loan).status == S.REPAYING
    payoff = fresh(loan).state(date(2024, 2, 1)).payoff_amount
    services.repayment_record(loan=fresh(loan), amount=payoff, on=date(2024, 2, 1), by=fund_officer)
    loan = fresh(loan)
    assert loan.status == S.SETTLED and loan.closed_on == date(2024, 2, 1)
    steps = list(LoanEvent.objects.filter(loan=loan).values_list("from_status", "to_status"))
    assert steps == [
        ("", S.RECEIVED),
        (S.RECEIVED, S.APPRAISAL),
        (S.APPRAISAL, S.APPROVED),
        (S.APPROVED, S.CONTRACTED),
        (S.CONTRACTED, S.DISBURSING),
        (S.DISBURSING, S.REPAYING),
        (S.REPAYING, S.SETTLED),
    ]
    assert set(LoanEvent.objects.filter(loan=loan).values_list("by", flat=True)) == {fund_officer.pk}


def test_whoever_appraised_a_loan_cannot_approve_it(fund_capital, fund_officer, second_fund_officer, demo):
    fund = Agency.objects.get(kind="fund")
    loan = services.loan_receive(loan=application(), by=fund_officer)
    [appraisal] = services.loan_send_to_appraisal(loan=loan, agencies=[fund], on=date(2024, 1, 5), by=fund_officer)
    services.appraisal_record(appraisal=appraisal, recommendation="approve", opinion="Đạt.", by=second_fund_officer)
    with pytest.raises(ValidationError, match="bốn mắt"):
        services.loan_approve(
            loan=fresh(loan),
            amount=D(100_000_000),
            term_months=12,
            rate=D(12),
            on=date(2024, 1, 9),
            by=second_fund_officer,
        )
    assert fresh(loan).status == S.APPRAISAL
    services.loan_approve(
        loan=fresh(loan), amount=D(100_000_000), term_months=12, rate=D(12), on=date(2024, 1, 9), by=fund_officer
    )
    assert fresh(loan).approved_by == fund_officer


def test_approval_is_refused_when_a_condition_fails(fund_capital, fund_officer, officer_hong_dan, hong_dan_agency):
    loan = appraised_loan(
        fund_officer,
        officer_hong_dan,
        hong_dan_agency,
        cooperative=CooperativeFactory(status="inactive", unit=hong_dan_agency.unit),
    )
    with pytest.raises(ValidationError) as caught:
        services.loan_approve(
            loan=loan, amount=D(100_000_000), term_months=12, rate=D(12), on=date(2024, 1, 9), by=fund_officer
        )
    assert any("sổ đăng ký" in m for m in caught.value.messages)


def test_an_officer_cannot_record_an_appraisal_addressed_to_another_agency(
    fund_officer, officer_dong_hai, hong_dan_agency
):
    loan = services.loan_receive(
        loan=application(cooperative=CooperativeFactory(unit=hong_dan_agency.unit)), by=fund_officer
    )
    [appraisal] = services.loan_send_to_appraisal(
        loan=loan, agencies=[hong_dan_agency], on=date(2024, 1, 5), by=fund_officer
    )
    with pytest.raises(PermissionDenied):
        services.appraisal_record(appraisal=appraisal, recommendation="reject", opinion="Không.", by=officer_dong_hai)
    assert Appraisal.objects.get().is_pending


def test_alliance_staff_can_view_but_not_move_a_loan(alliance_staff):
    with pytest.raises(PermissionDenied):
        services.loan_receive(loan=application(), by=alliance_staff)


def test_a_rejection_needs_a_reason_and_is_recorded(fund_officer):
    loan = services.loan_receive(loan=application(), by=fund_officer)
    with pytest.raises(ValidationError):
        services.loan_reject(loan=loan, reason="  ", on=date(2024, 1, 3), by=fund_officer)
    services.loan_reject(loan=fresh(loan), reason="Phương án không khả thi.", on=date(2024, 1, 3), by=fund_officer)
    assert fresh(loan).status == S.REJECTED
    assert LoanEvent.objects.filter(loan=loan, to_status=S.REJECTED, note="Phương án không khả thi.").exists()


def test_disbursements_cannot_exceed_the_approved_amount(fund_officer):
    loan = booked_loan(by=fund_officer, status=S.DISBURSING, amount=D(100_000_000))
    Loan.objects.filter(pk=loan.pk).update(approved_amount=D(150_000_000))
    with pytest.raises(ValidationError, match="Vượt số tiền phê duyệt"):
        services.loan_disburse(loan=fresh(loan), amount=D(50_000_001), on=date(2024, 2, 1), by=fund_officer)


def test_the_first_disbursement_is_refused_while_the_borrower_has_bad_debt(fund_officer):
    coop = CooperativeFactory()
    booked_loan(by=fund_officer, cooperative=coop, on=date(2023, 1, 15))  # unpaid since 15/02/2023
    loan = booked_loan(by=fund_officer, cooperative=coop, status=S.CONTRACTED)
    loan.disbursements.all().delete()
    with pytest.raises(ValidationError, match="nợ xấu"):
        services.loan_disburse(loan=fresh(loan), amount=D(10_000_000), on=date(2024, 1, 20), by=fund_officer)


def test_a_payment_larger_than_the_payoff_is_refused(fund_officer):
    loan = booked_loan(by=fund_officer)
    with pytest.raises(ValidationError, match="tất toán"):
        services.repayment_record(loan=fresh(loan), amount=D(121_200_001), on=date(2024, 2, 1), by=fund_officer)


def test_reversing_a_payment_recomputes_the_payments_after_it(fund_officer):
    loan = booked_loan(by=fund_officer)
    wrong = services.repayment_record(loan=fresh(loan), amount=D(11_200_000), on=date(2024, 2, 15), by=fund_officer)
    later = services.repayment_record(loan=fresh(loan), amount=D(11_100_000), on=date(2024, 3, 15), by=fund_officer)
    before = [a for a in fresh(loan).state(date(2024, 3, 15)).allocations if a.payment_id == later.pk]
    assert [(a.instalment, a.kind) for a in before] == [(2, "interest"), (2, "principal")]
    services.repayment_reverse(payment=wrong, reason="Nhập nhầm khoản vay", by=fund_officer)
    after = [a for a in fresh(loan).state(date(2024, 3, 15)).allocations if a.payment_id == later.pk]
    # Now the 15/03 payment pays instalment 1 first (its overdue interest, interest, principal), then instalment 2.
    assert [(a.instalment, a.kind) for a in after][:3] == [(1, "penalty"), (1, "interest"), (2, "interest")]
    # 11.100.000 does not cover instalment 1 (penalty 143.014 + 1.200.000 + 10.000.000) and instalment 2's interest:
    # instalment 1 stays partly unpaid, 29 days past due on 15/03/2024.
    assert fresh(loan).state(date(2024, 3, 15)).days_past_due == 29
    wrong.refresh_from_db()
    assert wrong.reversed and wrong.reversal_reason == "Nhập nhầm khoản vay" and wrong.reversed_by == fund_officer


def test_reversing_the_payment_that_settled_a_loan_reopens_it(fund_officer):
    loan = booked_loan(by=fund_officer)
    payment = services.repayment_record(loan=fresh(loan), amount=D(121_200_000), on=date(2024, 2, 1), by=fund_officer)
    assert fresh(loan).status == S.SETTLED
    services.repayment_reverse(payment=payment, reason="Séc bị trả lại", by=fund_officer)
    assert fresh(loan).status == S.REPAYING and fresh(loan).closed_on is None


def test_a_first_extension_moves_the_loan_to_group_3(fund_officer):
    loan = booked_loan(by=fund_officer)
    item = services.loan_restructure(
        loan=fresh(loan), on=date(2024, 3, 1), term_months=18, reason="Thiên tai", by=fund_officer
    )
    assert item.kind == Restructuring.Kind.EXTENSION  # the final maturity moves from 2025 to 2025-08
    state = fresh(loan).state(date(2024, 3, 2))
    assert state.restructure_count == 1 and state.debt_group == 3


def test_a_first_adjustment_within_the_maturity_paid_on_time_is_group_2(fund_officer):
    loan = booked_loan(by=fund_officer)
    item = services.loan_restructure(
        loan=fresh(loan), on=date(2024, 3, 1), term_months=6, reason="Mùa vụ lùi", by=fund_officer
    )
    assert item.kind == Restructuring.Kind.ADJUSTMENT
    state = fresh(loan).state(date(2024, 3, 2))
    assert state.restructure_count == 1 and state.debt_group == 2


def test_a_restructuring_before_the_latest_disbursement_is_refused_in_words(fund_officer):
    loan = booked_loan(by=fund_officer)
    with pytest.raises(ValidationError, match="Ngày cơ cấu không được trước ngày giải ngân gần nhất."):
        services.loan_restructure(loan=fresh(loan), on=date(2023, 12, 1), term_months=6, reason="Thử", by=fund_officer)


def test_a_restructuring_is_counted_and_cannot_repeat_on_the_same_day(fund_officer):
    loan = booked_loan(by=fund_officer)
    services.loan_restructure(
        loan=fresh(loan), on=date(2024, 3, 1), term_months=18, reason="Thiên tai", by=fund_officer
    )
    with pytest.raises(ValidationError):
        services.loan_restructure(
            loan=fresh(loan), on=date(2024, 3, 1), term_months=18, reason="Lần nữa", by=fund_officer
        )


def test_a_write_off_needs_a_reason_and_puts_the_loan_in_group_5(fund_officer):
    loan = booked_loan(by=fund_officer)
    with pytest.raises(ValidationError):
        services.loan_write_off(loan=fresh(loan), on=date(2024, 5, 1), reason="", by=fund_officer)
    services.loan_write_off(loan=fresh(loan), on=date(2024, 5, 1), reason="HTX phá sản", by=fund_officer)
    assert fresh(loan).status == S.WRITTEN_OFF and fresh(loan).debt_group(date(2024, 5, 2)) == 5


def test_the_database_refuses_a_rejection_without_reason(fund_officer):
    from django.db import IntegrityError, transaction

    loan = LoanFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(status=S.REJECTED)


def test_an_application_entered_in_the_admin_is_received_through_the_service(fund_officer, rf):
    from django.contrib import admin

    from fund.admin import LoanAdmin

    request = rf.post("/admin/fund/loan/add/")
    request.user = fund_officer
    loan = application()
    LoanAdmin(Loan, admin.site).save_model(request, loan, form=None, change=False)
    assert fresh(loan).status == S.RECEIVED
    assert LoanEvent.objects.filter(loan=loan, to_status=S.RECEIVED, by=fund_officer).exists()
