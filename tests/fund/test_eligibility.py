"""Each condition of Nghị định 45/2021/NĐ-CP checked on an application, failing on its own."""

from datetime import date
from decimal import Decimal

import pytest

from fund.models import RelatedCooperative
from fund.services import loan_eligibility

from .factories import CooperativeFactory, LoanFactory, booked_loan, capital

ON = date(2024, 6, 1)


def failing(loan):
    return {c.code for c in loan_eligibility(loan=loan, on=ON) if not c.passed}


@pytest.fixture
def officer(fund_officer):
    return fund_officer


def test_a_sound_application_passes_every_check(fund_capital):
    loan = LoanFactory()
    checks = loan_eligibility(loan=loan, on=ON)
    assert [c.code for c in checks] == [
        "own_contribution",
        "no_bad_debt",
        "registry_active",
        "annual_congress",
        "single_limit",
        "group_limit",
        "product_limits",
    ]
    assert all(c.passed for c in checks), [c.reason for c in checks if not c.passed]


def test_own_contribution_below_20_percent_fails_alone(fund_capital):
    loan = LoanFactory(total_cost=Decimal(100_000_000), own_contribution=Decimal(19_999_999))
    assert failing(loan) == {"own_contribution"}
    assert LoanFactory(total_cost=Decimal(100_000_000), own_contribution=Decimal(20_000_000)) and not failing(
        LoanFactory(total_cost=Decimal(100_000_000), own_contribution=Decimal(20_000_000))
    )


def test_bad_debt_of_the_borrower_fails_alone(fund_capital, officer):
    coop = CooperativeFactory()
    # An older loan unpaid since its first due date 15/02/2024: 107 days past due on 01/06/2024 -> group 3.
    booked_loan(by=officer, cooperative=coop, amount=Decimal(12_000_000))
    loan = LoanFactory(cooperative=coop)
    assert failing(loan) == {"no_bad_debt"}
    reason = next(c.reason for c in loan_eligibility(loan=loan, on=ON) if c.code == "no_bad_debt")
    assert "nhóm 3" in reason


def test_a_cooperative_not_active_in_the_registry_fails_alone(fund_capital):
    loan = LoanFactory(cooperative=CooperativeFactory(status="suspended"))
    assert failing(loan) == {"registry_active"}


def test_an_overdue_annual_congress_fails_alone(fund_capital):
    loan = LoanFactory(cooperative=CooperativeFactory(congresses=False))
    assert failing(loan) == {"annual_congress"}


def test_exposure_over_15_percent_of_the_funds_capital_fails_alone(db):
    capital(Decimal(500_000_000))  # 15 % = 75.000.000 < 100.000.000 <= 25 % = 125.000.000
    loan = LoanFactory()
    assert failing(loan) == {"single_limit"}


def test_the_capital_in_force_on_the_date_is_the_one_used(db):
    capital(Decimal(500_000_000), on=date(2020, 1, 1))
    capital(Decimal(10_000_000_000), on=date(2024, 7, 1))
    loan = LoanFactory()
    assert failing(loan) == {"single_limit"}
    assert not {c.code for c in loan_eligibility(loan=loan, on=date(2024, 7, 1)) if not c.passed}


def test_exposure_with_related_borrowers_over_25_percent_fails_alone(db, officer):
    capital(Decimal(700_000_000))  # 15 % = 105.000.000; 25 % = 175.000.000
    coop, related = CooperativeFactory(), CooperativeFactory()
    RelatedCooperative.objects.create(cooperative=related, related=coop, reason="Cùng chủ tịch HĐQT")
    # The related cooperative owes 80.000.000, current (paid nothing yet, first instalment not due on 01/06).
    booked_loan(by=officer, cooperative=related, amount=Decimal(80_000_000), on=date(2024, 5, 20))
    loan = LoanFactory(cooperative=coop)
    assert failing(loan) == {"group_limit"}


def test_a_member_borrowing_counts_with_their_cooperative_for_the_related_limit(db, officer):
    from .factories import MemberFactory

    capital(Decimal(700_000_000))
    coop = CooperativeFactory()
    member = MemberFactory(cooperative=coop)
    booked_loan(by=officer, cooperative=coop, amount=Decimal(80_000_000), on=date(2024, 5, 20))
    loan = LoanFactory(cooperative=coop, member=member)
    assert failing(loan) == {"group_limit"}


def test_an_amount_over_the_products_maximum_fails_alone(fund_capital):
    loan = LoanFactory(requested_amount=Decimal(100_000_000), product__max_amount=Decimal(50_000_000))
    assert failing(loan) == {"product_limits"}
