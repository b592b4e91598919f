"""Allocation, arrears and debt groups, computed by replaying a loan's events (fund.ledger)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fund.ledger import ADJUSTMENT, EXTENSION, Event, Thresholds, debt_group, replay
from fund.schedule import ANNUITY, EQUAL_PRINCIPAL, MONTHLY, Terms
from tests.properties import examples

D = Decimal
START = date(2024, 1, 15)
# 120.000.000 đ, 12 %/năm, 12 tháng gốc đều: kỳ 1 ngày 15/02/2024 = 10.000.000 gốc + 1.200.000 lãi.
TERMS = Terms(D(12), 12, MONTHLY, EQUAL_PRINCIPAL)
LOAN = [Event(START, "disbursement", D(120_000_000))]
FIRST_DUE = date(2024, 2, 15)


PENALTY_MULTIPLIER = D("1.5")


def state(events, on, multiplier=PENALTY_MULTIPLIER, terms=TERMS):
    return replay(terms, multiplier, LOAN + events, on)


def payment(on, amount, ref=1):
    return Event(on, "payment", D(amount), ref)


def test_a_payment_on_time_pays_the_interest_then_the_principal_of_the_instalment():
    s = state([payment(FIRST_DUE, 11_200_000)], FIRST_DUE)
    assert [(a.instalment, a.kind, a.amount) for a in s.allocations] == [
        (1, "interest", D(1_200_000)),
        (1, "principal", D(10_000_000)),
    ]
    assert s.outstanding_principal == D(110_000_000) and s.days_past_due == 0


def test_a_late_payment_pays_overdue_interest_then_interest_then_principal_oldest_instalment_first():
    # Instalments 1 (15/02) and 2 (15/03) unpaid; paid on 25/03.
    # Lãi quá hạn: kỳ 1: 10.000.000 × 12 % × 1,5 / 365 × 39 ngày = 192.328,77; kỳ 2: × 10 ngày = 49.315,07.
    s = state([payment(date(2024, 3, 25), 13_000_000)], date(2024, 3, 25))
    assert [(a.instalment, a.kind, a.amount) for a in s.allocations] == [
        (1, "penalty", D(192_329)),
        (2, "penalty", D(49_315)),
        (1, "interest", D(1_200_000)),
        (2, "interest", D(1_100_000)),
        (1, "principal", D(10_000_000)),
        (2, "principal", D(13_000_000 - 192_329 - 49_315 - 1_200_000 - 1_100_000 - 10_000_000)),
    ]
    assert s.days_past_due == 10  # instalment 2 is still partly unpaid since 15/03


def test_a_partial_payment_leaves_the_rest_of_the_instalment_due():
    s = state([payment(FIRST_DUE, 5_000_000)], date(2024, 2, 20))
    assert s.instalments[0].paid_interest == D(1_200_000)
    assert s.instalments[0].paid_principal == D(3_800_000)
    assert s.overdue_principal == D(6_200_000) and s.days_past_due == 5


def test_an_early_payment_goes_to_the_current_period_then_future_principal_oldest_first():
    s = state([payment(date(2024, 2, 1), 25_000_000)], date(2024, 2, 1))
    kinds = [(a.instalment, a.kind, a.amount) for a in s.allocations]
    assert kinds == [
        (1, "interest", D(1_200_000)),
        (1, "principal", D(10_000_000)),
        (2, "principal", D(10_000_000)),
        (3, "principal", D(3_800_000)),
    ]
    assert s.days_past_due == 0


def test_repaying_everything_early_cancels_the_interest_of_periods_not_begun():
    before = state([], date(2024, 2, 1))
    assert before.payoff_amount == D(121_200_000)
    s = state([payment(date(2024, 2, 1), 121_200_000)], date(2024, 2, 1))
    assert s.outstanding_principal == 0 and s.is_repaid and s.unallocated == 0


def test_the_state_on_a_date_ignores_later_payments():
    s = state([payment(date(2024, 3, 1), 11_200_000)], date(2024, 2, 20))
    assert s.days_past_due == 5 and s.allocations == []


@pytest.mark.parametrize(
    ("days", "group"),
    [(0, 1), (9, 1), (10, 2), (90, 2), (91, 3), (180, 3), (181, 4), (360, 4), (361, 5), (800, 5)],
)
def test_days_past_due_and_debt_group_at_the_boundaries(days, group):
    s = state([], FIRST_DUE + timedelta(days=days))
    assert s.days_past_due == days
    assert s.debt_group == group


@pytest.mark.parametrize(
    ("days", "count", "group"),
    [
        # Thông tư 31/2024/TT-NHNN, Điều 10 khoản 4 (as Thông tư 11/2021/TT-NHNN, Điều 10 khoản 1); the days are
        # counted on the restructured schedule.
        (0, 1, 3),  # restructured once (by default a gia hạn nợ), paying on time: điểm c(ii)
        (1, 1, 4),  # once, late 1 to 90 days: điểm d(ii)
        (90, 1, 4),
        (91, 1, 5),  # once, late 91 days or more: điểm đ(ii)
        (96, 1, 5),
        (200, 1, 5),
        (0, 2, 4),  # twice: điểm d(iii)
        (1, 2, 5),  # twice and late at all: điểm đ(iii)
        (100, 2, 5),
        (0, 3, 5),  # three times or more: điểm đ(iv)
    ],
)
def test_restructurings_raise_the_debt_group(days, count, group):
    assert debt_group(days, count) == group


def test_a_loan_restructured_once_and_96_days_late_on_its_new_schedule_is_in_group_5():
    restructure = Event(date(2024, 5, 15), "restructuring", term_months=24)
    # The first new instalment falls due on 15/06/2024 and is never paid: 96 days late on 19/09/2024.
    s = state([restructure], date(2024, 9, 19))
    assert s.days_past_due == 96 and s.restructure_count == 1
    assert s.debt_group == 5
    assert state([restructure], date(2024, 6, 16)).debt_group == 4  # one day late on the new schedule


@settings(max_examples=examples(200))
@given(
    days=st.integers(0, 2000),
    more=st.integers(0, 400),
    count=st.integers(0, 4),
    extra=st.integers(0, 2),
)
def test_the_debt_group_never_falls_with_more_days_late_or_more_restructurings(days, more, count, extra):
    group = debt_group(days, count)
    assert 1 <= group <= 5
    assert debt_group(days + more, count) >= group
    assert debt_group(days, count + extra) >= group


def test_the_day_limits_in_force_decide_the_group():
    stricter = Thresholds(group2_days=5, group3_days=31, group4_days=91, group5_days=181)
    assert debt_group(40) == 2 and debt_group(40, thresholds=stricter) == 3
    s = replay(TERMS, PENALTY_MULTIPLIER, LOAN, FIRST_DUE + timedelta(days=40), stricter)
    assert s.debt_group == 3


def test_a_restructuring_gives_a_new_schedule_resets_days_past_due_and_moves_the_group():
    # Nothing paid; restructured on 15/05/2024 (instalments 1-3 overdue, 30.000.000 gốc).
    restructure = Event(date(2024, 5, 15), "restructuring", term_months=24)
    before = state([], date(2024, 5, 15))
    assert before.days_past_due == 90 and before.debt_group == 2
    s = state([restructure], date(2024, 5, 20))
    new = [i for i in s.instalments if not i.closed]
    assert len(new) == 24 and sum(i.principal for i in new) == D(120_000_000)
    assert new[0].due_date == date(2024, 6, 15)
    # Carried into the first new instalment: unpaid interest (1,2 + 1,1 + 1,0 triệu) and the overdue interest.
    assert new[0].interest > D(3_300_000) + D(1_200_000)
    assert s.days_past_due == 0 and s.restructure_count == 1 and s.debt_group == 3  # the maturity moved: gia hạn
    adjusted = replace(restructure, restructure_kind=ADJUSTMENT)
    assert state([adjusted], date(2024, 5, 20)).debt_group == 2
    second = Event(date(2024, 7, 1), "restructuring", term_months=24)
    assert state([restructure, second], date(2024, 7, 2)).debt_group == 4
    third = Event(date(2024, 8, 1), "restructuring", term_months=24)
    assert state([restructure, second, third], date(2024, 8, 2)).debt_group == 5


def test_a_written_off_loan_is_in_group_5():
    s = state([Event(date(2024, 3, 1), "write_off")], date(2024, 3, 2))
    assert s.written_off and s.debt_group == 5


@settings(max_examples=examples(150))
@given(
    amount=st.integers(5_000_000, 2_000_000_000),
    term=st.integers(3, 36),
    annuity=st.booleans(),
    payments=st.lists(st.tuples(st.integers(0, 1200), st.floats(0.01, 1.0)), max_size=12),
)
def test_random_repayments_never_make_a_balance_negative(amount, term, annuity, payments):
    terms = Terms(D("9.6"), term, MONTHLY, ANNUITY if annuity else EQUAL_PRINCIPAL)
    events = [Event(START, "disbursement", D(amount))]
    for ref, (offset, share) in enumerate(sorted(payments)):
        day = START + timedelta(days=offset)
        owed = replay(terms, D("1.5"), events, day).payoff_amount
        pay = max(D(1), (owed * D(str(share))).quantize(D(1)))
        if owed > 0:
            events.append(Event(day, "payment", min(pay, owed), ref))
    s = replay(terms, D("1.5"), events, START + timedelta(days=1300))
    assert s.unallocated == 0
    assert s.outstanding_principal >= 0
    for inst in s.instalments:
        assert 0 <= inst.paid_principal <= inst.principal
        assert 0 <= inst.paid_interest <= inst.interest
        assert inst.penalty_due >= 0
    paid = sum(e.amount for e in events if e.kind == "payment")
    assert sum(a.amount for a in s.allocations) == paid


@settings(max_examples=examples(200))
@given(days=st.integers(0, 2000), more=st.integers(0, 400), kind=st.sampled_from([ADJUSTMENT, EXTENSION]))
def test_a_first_restructurings_group_follows_its_kind_and_never_falls_with_more_days_late(days, more, kind):
    group = debt_group(days, 1, first_restructure=kind)
    assert debt_group(days + more, 1, first_restructure=kind) >= group
    if kind == EXTENSION:
        assert group >= 3  # gia hạn nợ lần đầu: Thông tư 11/2021/TT-NHNN, Điều 10 khoản 1 điểm c(ii)
    if days == 0:
        assert group == (2 if kind == ADJUSTMENT else 3)
