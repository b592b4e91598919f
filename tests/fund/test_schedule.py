"""Schedules compared with examples computed by hand, to the đồng, and property tests on random loans."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fund.schedule import (
    ACTUAL_365,
    ANNUITY,
    BULLET,
    DECLINING,
    EQUAL_PRINCIPAL,
    FLAT,
    MONTHLY,
    MONTHLY_RATE,
    QUARTERLY,
    Terms,
    build_schedule,
    loan_schedule,
)
from tests.properties import examples

D = Decimal


def rows_of(rows):
    return [(r.due_date, r.principal, r.interest) for r in rows]


def test_equal_principal_monthly_without_grace_matches_the_hand_computation():
    # 120.000.000 đ, 12 %/năm = 1 %/tháng, 12 tháng: gốc 10.000.000 mỗi kỳ, lãi = 1 % dư nợ đầu kỳ.
    rows = build_schedule(D(120_000_000), date(2024, 1, 15), Terms(D(12), 12, MONTHLY, EQUAL_PRINCIPAL))
    assert [r.principal for r in rows] == [D(10_000_000)] * 12
    assert [r.interest for r in rows] == [D(1_200_000 - 100_000 * k) for k in range(12)]
    assert rows[0].due_date == date(2024, 2, 15) and rows[-1].due_date == date(2025, 1, 15)
    assert sum(r.interest for r in rows) == D(7_800_000)


def test_annuity_monthly_without_grace_matches_the_hand_computation():
    # A = 120.000.000 × 0,01 / (1 - 1,01^-12) = 10.661.854,6 -> 10.661.855 đ.
    rows = build_schedule(D(120_000_000), date(2024, 1, 15), Terms(D(12), 12, MONTHLY, ANNUITY))
    assert (rows[0].principal, rows[0].interest) == (D(9_461_855), D(1_200_000))
    # 110.538.145 × 1 % = 1.105.381,45 -> 1.105.381; gốc 10.661.855 - 1.105.381 = 9.556.474.
    assert (rows[1].principal, rows[1].interest) == (D(9_556_474), D(1_105_381))
    assert all(r.total == D(10_661_855) for r in rows[:-1])
    # Last row takes the remaining balance: 10.556.288, lãi 105.562,88 -> 105.563.
    assert (rows[-1].principal, rows[-1].interest, rows[-1].closing) == (D(10_556_288), D(105_563), D(0))
    assert sum(r.principal for r in rows) == D(120_000_000)


def test_equal_principal_quarterly_with_grace_matches_the_hand_computation():
    # 100.000.000 đ, 12 %/năm = 3 %/quý, 12 tháng, ân hạn 3 tháng: kỳ 1 chỉ trả lãi, gốc chia 3 kỳ còn lại.
    rows = build_schedule(D(100_000_000), date(2024, 1, 31), Terms(D(12), 12, QUARTERLY, EQUAL_PRINCIPAL, DECLINING, 3))
    assert rows_of(rows) == [
        (date(2024, 4, 30), D(0), D(3_000_000)),
        (date(2024, 7, 31), D(33_333_333), D(3_000_000)),
        (date(2024, 10, 31), D(33_333_333), D(2_000_000)),  # 66.666.667 × 3 % = 2.000.000,01
        (date(2025, 1, 31), D(33_333_334), D(1_000_000)),  # remainder in the last instalment
    ]


def test_annuity_with_grace_matches_the_hand_computation():
    # 60.000.000 đ, 1 %/tháng, 6 tháng, ân hạn 2 tháng; niên kim trên 4 kỳ:
    # 1,01^4 = 1,04060401; 1 - 1/1,04060401 = 0,0390196568; A = 600.000 / 0,0390196568 = 15.376.865,6 -> 15.376.866.
    rows = build_schedule(D(60_000_000), date(2024, 3, 1), Terms(D(12), 6, MONTHLY, ANNUITY, DECLINING, 2))
    assert [(r.principal, r.interest) for r in rows] == [
        (D(0), D(600_000)),
        (D(0), D(600_000)),
        (D(14_776_866), D(600_000)),  # 15.376.866 - 600.000
        (D(14_924_635), D(452_231)),  # 45.223.134 × 1 % = 452.231,34
        (D(15_073_881), D(302_985)),  # 30.298.499 × 1 % = 302.984,99
        (D(15_224_618), D(152_246)),  # 15.224.618 × 1 % = 152.246,18; the remaining balance
    ]


def test_flat_rate_charges_interest_on_the_original_principal():
    rows = build_schedule(D(12_000_000), date(2024, 1, 10), Terms(D(12), 12, MONTHLY, ANNUITY, FLAT))
    assert {(r.principal, r.interest) for r in rows} == {(D(1_000_000), D(120_000))}


def test_principal_at_maturity_pays_interest_only_until_the_last_instalment():
    rows = build_schedule(D(50_000_000), date(2024, 1, 10), Terms(D(6), 3, MONTHLY, BULLET))
    assert [(r.principal, r.interest) for r in rows] == [(0, 250_000), (0, 250_000), (50_000_000, 250_000)]


def test_a_short_last_quarter_is_charged_for_its_real_length():
    # 120.000.000 đ, 12 %/năm trả theo quý, 13 tháng: 4 quý (3 % mỗi quý = 3.600.000) và 1 tháng cuối (1 %).
    rows = build_schedule(D(120_000_000), date(2024, 1, 15), Terms(D(12), 13, QUARTERLY, BULLET))
    assert [r.due_date for r in rows][-2:] == [date(2025, 1, 15), date(2025, 2, 15)]
    assert [r.interest for r in rows] == [D(3_600_000)] * 4 + [D(1_200_000)]


def test_a_term_shorter_than_one_quarter_is_charged_for_its_months():
    rows = build_schedule(D(90_000_000), date(2024, 1, 15), Terms(D(12), 2, QUARTERLY, BULLET))
    assert [(r.due_date, r.interest) for r in rows] == [(date(2024, 3, 15), D(1_800_000))]


def test_actual_365_charges_each_period_for_its_own_days():
    terms = Terms(D(12), 12, MONTHLY, EQUAL_PRINCIPAL, day_count=ACTUAL_365)
    rows = build_schedule(D(120_000_000), date(2024, 1, 15), terms)
    # 15/01 -> 15/02: 31 ngày, 120.000.000 × 12 % × 31/365 = 1.223.013,70 -> 1.223.014;
    # 15/02 -> 15/03/2024: 29 ngày (năm nhuận), 110.000.000 × 12 % × 29/365 = 1.048.767,12 -> 1.048.767.
    assert [r.interest for r in rows[:2]] == [D(1_223_014), D(1_048_767)]
    assert sum(r.principal for r in rows) == D(120_000_000)


def test_the_rounding_remainder_goes_to_the_last_instalment():
    rows = build_schedule(D(100_000_000), date(2024, 1, 10), Terms(D(0), 3, MONTHLY, EQUAL_PRINCIPAL))
    assert [r.principal for r in rows] == [D(33_333_333), D(33_333_333), D(33_333_334)]


def test_a_later_tranche_is_repaid_on_the_loans_due_dates_with_interest_for_the_days_it_was_out():
    terms = Terms(D(9), 12, MONTHLY, EQUAL_PRINCIPAL)
    rows = loan_schedule([(date(2024, 1, 10), D(60_000_000)), (date(2024, 3, 25), D(40_000_000))], terms)
    assert len(rows) == 12 and rows[-1].due_date == date(2025, 1, 10)
    assert (rows[1].principal, rows[1].interest) == (D(5_000_000), D(412_500))
    # Kỳ 3 (10/04): 50.000.000 × 0,75 % = 375.000; 40.000.000 × 0,75 % × 16/31 ngày = 154.838,7 -> 154.839.
    assert (rows[2].opening, rows[2].principal, rows[2].interest) == (D(90_000_000), D(9_000_000), D(529_839))
    assert sum(r.principal for r in rows) == D(100_000_000)


terms_strategy = st.builds(
    lambda rate, term, freq, amort, method, grace_share: Terms(
        D(rate) / 100, term, freq, amort, method, int(term * grace_share)
    ),
    st.integers(0, 2500),
    st.integers(1, 84),
    st.sampled_from([MONTHLY, QUARTERLY]),
    st.sampled_from([EQUAL_PRINCIPAL, ANNUITY, BULLET]),
    st.sampled_from([DECLINING, FLAT]),
    st.floats(0, 0.9),
)


@settings(max_examples=examples(300))
@given(principal=st.integers(1_000_000, 10_000_000_000), terms=terms_strategy, day=st.dates(date(2020, 1, 1)))
def test_any_schedule_sums_exactly_to_the_principal_and_never_goes_below_zero(principal, terms, day):
    rows = build_schedule(D(principal), day, terms)
    assert sum(r.principal for r in rows) == principal
    assert all(r.principal >= 0 and r.interest >= 0 and r.closing >= 0 for r in rows)
    assert rows[-1].closing == 0
    assert all(r.principal == r.principal.to_integral_value() for r in rows)
    assert [r.due_date for r in rows] == sorted({r.due_date for r in rows})


@settings(max_examples=examples(150))
@given(
    first=st.integers(1_000_000, 2_000_000_000),
    second=st.integers(1_000_000, 2_000_000_000),
    gap=st.integers(1, 300),
    terms=terms_strategy,
)
def test_a_loan_in_two_tranches_sums_to_both(first, second, gap, terms):
    start = date(2024, 1, 31)
    later = date.fromordinal(start.toordinal() + gap)
    if later >= build_schedule(D(first), start, terms)[-1].due_date:
        return
    rows = loan_schedule([(start, D(first)), (later, D(second))], terms)
    assert sum(r.principal for r in rows) == first + second
    assert all(r.closing >= 0 for r in rows) and rows[-1].closing == 0


def _exact_interest(base, rate, years):
    """base × rate % × years, rounded half up to the đồng, with fractions (independent of fund.schedule)."""
    exact = Fraction(int(base)) * Fraction(str(rate)) * years / 100
    return (exact + Fraction(1, 2)).__floor__()


@settings(max_examples=examples(300))
@given(
    principal=st.integers(1_000_000, 10_000_000_000),
    terms=terms_strategy,
    day_count=st.sampled_from([MONTHLY_RATE, ACTUAL_365]),
    day=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
@example(
    principal=120_000_000, terms=Terms(D(12), 13, QUARTERLY, BULLET), day_count=MONTHLY_RATE, day=date(2024, 1, 15)
)
def test_every_period_is_charged_its_exact_interest_to_the_dong_in_both_day_counts(principal, terms, day_count, day):
    terms = Terms(
        terms.annual_rate,
        terms.term_months,
        terms.frequency,
        terms.amortization,
        terms.rate_method,
        terms.grace_months,
        day_count,
    )
    rows = build_schedule(D(principal), day, terms)
    assert sum(r.principal for r in rows) == principal
    step = 3 if terms.frequency == QUARTERLY else 1
    previous, months_charged, days_charged = day, 0, 0
    for index, row in enumerate(rows):
        base = D(principal) if terms.rate_method == FLAT else row.opening
        if day_count == ACTUAL_365:
            years = Fraction((row.due_date - previous).days, 365)
            days_charged += (row.due_date - previous).days
        else:
            months = step if index < len(rows) - 1 else terms.term_months - step * (len(rows) - 1)
            years = Fraction(months, 12)
            months_charged += months
        assert row.interest == _exact_interest(base, terms.annual_rate, years)
        previous = row.due_date
    # Every day (month) of the term is charged once, the short last period included.
    assert days_charged == 0 or days_charged == (rows[-1].due_date - day).days
    assert months_charged == 0 or months_charged == terms.term_months
