"""Repayment schedule maths: pure functions on Decimal, no database.

Conventions (the fund's internal lending rules, made under Nghị định 45/2021/NĐ-CP, Điều 24-26):
- Day count, chosen per product:
  - monthly rate (`monthly_rate`): a period's interest is the yearly rate × the months it spans / 12 (monthly:
    rate/12, quarterly: rate/4), whatever the number of days in those months;
  - actual/365 (`actual_365`): a period's interest is the yearly rate × its actual days / 365, every year counted
    as 365 days (Thông tư 14/2017/TT-NHNN on interest methods: balance × days × yearly rate / 365).
- A last period shorter than the frequency (a 13-month loan paid quarterly ends with a 1-month period) is charged
  for its real length: 1/3 of the quarter's rate under the monthly rate, its own days under actual/365.
- Every amount is rounded to whole đồng with ROUND_HALF_UP; the remainder of the principal goes to the last
  instalment, so a schedule sums exactly to the principal.
- Grace period: the periods falling within the first `grace_months` pay interest only.
- Declining balance: interest on the opening balance of each period. Flat: interest on the original principal.
- Equal principal: the same principal each amortising period. Annuity: the same total payment each amortising
  period (declining balance). Under a flat rate an annuity and equal principal coincide (equal principal plus
  a constant interest is a constant payment). Principal at maturity: interest every period, principal at the end.
- A tranche disbursed after the loan's first disbursement is repaid on the loan's own due dates up to its
  maturity; its first period's interest is charged for the days it was actually out (days / days of the period).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

ONE = Decimal(1)
ZERO = Decimal(0)

MONTHLY = "monthly"
QUARTERLY = "quarterly"
PERIOD_MONTHS = {MONTHLY: 1, QUARTERLY: 3}

EQUAL_PRINCIPAL = "equal_principal"
ANNUITY = "annuity"
BULLET = "bullet"

DECLINING = "declining"
FLAT = "flat"

MONTHLY_RATE = "monthly_rate"
ACTUAL_365 = "actual_365"


def dong(value) -> Decimal:
    """Round to whole đồng, halves up."""
    return Decimal(value).quantize(ONE, rounding=ROUND_HALF_UP)


def interest(base: Decimal, annual_rate: Decimal, years: Fraction) -> Decimal:
    """`base` × `annual_rate` % × `years`, computed exactly and rounded once to whole đồng, halves up."""
    exact = Fraction(base) * Fraction(annual_rate) * years / 100
    return Decimal((2 * exact.numerator + exact.denominator) // (2 * exact.denominator))


@dataclass(frozen=True)
class Terms:
    """What a schedule needs to know about a loan."""

    annual_rate: Decimal  # percent a year, e.g. Decimal("7.2")
    term_months: int
    frequency: str = MONTHLY
    amortization: str = EQUAL_PRINCIPAL
    rate_method: str = DECLINING
    grace_months: int = 0
    day_count: str = MONTHLY_RATE

    @property
    def period_months(self) -> int:
        return PERIOD_MONTHS[self.frequency]

    @property
    def last_period_months(self) -> int:
        """The last period's length: the frequency's, or less when the term is not a whole number of periods."""
        return self.term_months % self.period_months or self.period_months

    @property
    def period_rate(self) -> Decimal:
        return Decimal(self.annual_rate) / 100 * self.period_months / 12

    @property
    def periods(self) -> int:
        """Number of instalments; a term that is not a whole number of periods ends with a short one."""
        return -(-self.term_months // self.period_months)

    @property
    def grace_periods(self) -> int:
        return min(self.grace_months // self.period_months, self.periods - 1)


@dataclass
class Row:
    number: int
    due_date: date
    opening: Decimal
    principal: Decimal
    interest: Decimal
    closing: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


def due_dates(start: date, terms: Terms) -> list[date]:
    """Due dates counted in months from the first disbursement; the last one is the maturity date."""
    step = terms.period_months
    dates = [start + relativedelta(months=step * k) for k in range(1, terms.periods)]
    dates.append(start + relativedelta(months=terms.term_months))
    return dates


def principal_parts(principal: Decimal, terms: Terms, count: int, grace: int) -> list[Decimal] | None:
    """Principal per period for the methods whose principal does not depend on interest (None for annuity)."""
    amortising = count - grace
    if terms.amortization == BULLET:
        return [ZERO] * (count - 1) + [principal]
    if terms.amortization == EQUAL_PRINCIPAL or terms.rate_method == FLAT:
        each = dong(principal / amortising)
        parts = [ZERO] * grace + [each] * (amortising - 1)
        return parts + [principal - sum(parts)]
    return None


def annuity_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The constant payment repaying `principal` in `periods` at `rate` a period, to whole đồng."""
    if rate == 0:
        return dong(principal / periods)
    return dong(principal * rate / (ONE - (ONE + rate) ** -periods))


def build_schedule(
    principal: Decimal,
    start: date,
    terms: Terms,
    *,
    dates: list[date] | None = None,
    grace: int | None = None,
    first_period_factor: Fraction = Fraction(1),
    first_number: int = 1,
) -> list[Row]:
    """The schedule of one amount lent on `start`.

    `dates` and `grace` let a later tranche use the loan's remaining due dates and grace periods;
    `first_period_factor` is the share of the first period the money was out (monthly rate only: under
    actual/365 the days from `start` already say it). The last of `dates` is the maturity.
    """
    principal = dong(principal)
    dates = dates if dates is not None else due_dates(start, terms)
    count = len(dates)
    grace = terms.grace_periods if grace is None else min(grace, count - 1)
    rate = terms.period_rate
    parts = principal_parts(principal, terms, count, grace)
    payment = None if parts is not None else annuity_payment(principal, rate, count - grace)
    rows: list[Row] = []
    balance = principal
    actual = terms.day_count == ACTUAL_365
    annual = terms.annual_rate
    previous = start
    for index, due in enumerate(dates):
        base = principal if terms.rate_method == FLAT else balance
        if actual:
            charged = interest(base, annual, Fraction((due - previous).days, 365))
        else:
            months = terms.last_period_months if index == count - 1 else terms.period_months
            share = first_period_factor if index == 0 else 1
            charged = interest(base, annual, Fraction(months, 12) * share)
        previous = due
        if parts is not None:
            paid = parts[index]
        elif index < grace:
            paid = ZERO
        elif index == count - 1:
            paid = balance
        else:
            # Under actual/365 the principal is what the constant payment leaves after the period's own days.
            nominal = charged if actual else interest(balance, annual, Fraction(terms.period_months, 12))
            paid = min(balance, max(ZERO, payment - nominal))
        rows.append(Row(first_number + index, due, balance, paid, charged, balance - paid))
        balance -= paid
    return rows


def tranche_schedule(amount: Decimal, on: date, loan_start: date, terms: Terms) -> list[Row]:
    """A tranche disbursed on `on`, repaid on the loan's due dates that fall after it."""
    all_dates = due_dates(loan_start, terms)
    later = [d for d in all_dates if d > on]
    if not later:
        raise ValueError("Tranche disbursed after maturity")
    elapsed = len(all_dates) - len(later)
    previous = all_dates[elapsed - 1] if elapsed else loan_start
    span = (later[0] - previous).days
    factor = Fraction((later[0] - max(on, previous)).days, span) if span else Fraction(1)
    return build_schedule(
        amount,
        on,
        terms,
        dates=later,
        grace=max(0, terms.grace_periods - elapsed),
        first_period_factor=factor,
        first_number=elapsed + 1,
    )


def loan_schedule(disbursements: list[tuple[date, Decimal]], terms: Terms) -> list[Row]:
    """The whole loan's schedule: every tranche's schedule summed on the loan's due dates."""
    if not disbursements:
        return []
    ordered = sorted(disbursements)
    start = ordered[0][0]
    by_date: dict[date, list[Decimal]] = {}
    for on, amount in ordered:
        for row in tranche_schedule(amount, on, start, terms):
            opening, principal, interest = by_date.setdefault(row.due_date, [ZERO, ZERO, ZERO])
            by_date[row.due_date] = [opening + row.opening, principal + row.principal, interest + row.interest]
    rows = []
    for number, due in enumerate(sorted(by_date), start=1):
        opening, principal, interest = by_date[due]
        rows.append(Row(number, due, opening, principal, interest, opening - principal))
    return rows
