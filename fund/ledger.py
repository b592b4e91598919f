"""A loan's state on any date, derived by replaying its stored events: pure functions, no database.

Only the events are stored (disbursements, payments not reversed, restructurings, a write-off); the schedule,
every payment's allocation, the arrears and the debt group are recomputed from them, so a reversed payment
changes everything after it and nothing else needs fixing.

Rules (the fund's internal lending rules under Nghị định 45/2021/NĐ-CP; debt groups after Thông tư 31/2024/TT-NHNN,
Điều 10, which replaced Thông tư 11/2021/TT-NHNN on 01/7/2024; the day limits are dated rows staff edit):
- A payment pays, in this order: overdue interest (penalty), the interest due, the principal due - each oldest
  instalment first; then the interest of the current period and the principal of future instalments, oldest first.
- Overdue interest accrues each day on principal past its due date at the normal rate times the product's
  multiplier, on a 365-day year.
- Days past due: days since the due date of the oldest instalment not fully paid (0 on the due date itself).
- When the whole principal is repaid, the interest of periods not yet begun is cancelled.
- A restructuring re-spreads the unpaid principal over a new term from its date; unpaid interest and overdue
  interest are carried into the first new instalment; the old instalments are closed.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from .schedule import ZERO, Terms, build_schedule, dong, due_dates, loan_schedule

# Customary provision rates per group (Thông tư 11/2021/TT-NHNN, Điều 12: 0/5/20/50/100 %).
PROVISION_RATES = {1: Decimal("0"), 2: Decimal("0.05"), 3: Decimal("0.20"), 4: Decimal("0.50"), 5: Decimal("1")}
BAD_DEBT_GROUPS = {3, 4, 5}

# The two kinds of restructured repayment term (Thông tư 11/2021/TT-NHNN, Điều 10 khoản 1; Thông tư 31/2024/TT-NHNN,
# Điều 10): instalments changed within the original maturity, or the final maturity extended.
ADJUSTMENT = "adjustment"
EXTENSION = "extension"


@dataclass(frozen=True)
class Thresholds:
    """The figures the law may change, as in force on one date (stored as dated rows: `fund.models.FundThreshold`).

    The defaults are the values in force when this was written; the sources are beside each row in the database.
    """

    group2_days: int = 10  # Thông tư 31/2024/TT-NHNN, Điều 10 (as 11/2021, Điều 10): 10-90 days -> group 2
    group3_days: int = 91  # 91-180 days -> group 3
    group4_days: int = 181  # 181-360 days -> group 4
    group5_days: int = 361  # over 360 days -> group 5
    restructured_group5_days: int = 91  # restructured once and this late on the new schedule -> group 5
    single_borrower_cap_pct: Decimal = Decimal("15")  # Nghị định 45/2021/NĐ-CP: one borrower
    related_group_cap_pct: Decimal = Decimal("25")  # Nghị định 45/2021/NĐ-CP: with related persons
    overdue_multiple_max: Decimal = Decimal("1.5")  # Thông tư 39/2016/TT-NHNN, Điều 13: at most 150 %


DEFAULT_THRESHOLDS = Thresholds()


def debt_group(
    days_past_due: int,
    restructure_count: int = 0,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    first_restructure: str = EXTENSION,
) -> int:
    """Group 1-5 (Thông tư 31/2024/TT-NHNN, Điều 10 khoản 4, the quantitative method; the same rules as
    Thông tư 11/2021/TT-NHNN, Điều 10 khoản 1, which it replaced on 01/7/2024).

    By days past due: under `group2_days` -> 1, then 2, 3, 4 from each threshold, 5 from `group5_days`.
    Restructured (the days are then counted on the restructured schedule):
    - once: at least group 2 when the instalments were adjusted within the original maturity ("điều chỉnh kỳ hạn
      trả nợ", điểm b(ii)), at least group 3 when the final maturity was extended ("gia hạn nợ", điểm c(ii));
      late 1 to 90 days -> 4 (điểm d(ii)); 91 days or more -> 5 (điểm đ(ii));
    - twice: at least group 4 (điểm d(iii)); late at all -> 5 (điểm đ(iii));
    - three times or more: 5 (điểm đ(iv)).
    The worse of the two counts.
    """
    t = thresholds
    if days_past_due >= t.group5_days:
        group = 5
    elif days_past_due >= t.group4_days:
        group = 4
    elif days_past_due >= t.group3_days:
        group = 3
    elif days_past_due >= t.group2_days:
        group = 2
    else:
        group = 1
    if restructure_count == 0:
        floor = 1
    elif restructure_count == 1:
        on_time = 2 if first_restructure == ADJUSTMENT else 3
        floor = 5 if days_past_due >= t.restructured_group5_days else 4 if days_past_due > 0 else on_time
    elif restructure_count == 2:
        floor = 5 if days_past_due > 0 else 4
    else:
        floor = 5
    return max(group, floor)


@dataclass
class Instalment:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    paid_principal: Decimal = ZERO
    paid_interest: Decimal = ZERO
    paid_penalty: Decimal = ZERO
    penalty_accrued: Decimal = ZERO  # exact, rounded when shown or paid
    accrued_to: date | None = None
    closed: bool = False  # superseded by a restructuring
    cancelled_interest: Decimal = ZERO

    @property
    def unpaid_principal(self) -> Decimal:
        return self.principal - self.paid_principal

    @property
    def unpaid_interest(self) -> Decimal:
        return self.interest - self.paid_interest

    @property
    def penalty_due(self) -> Decimal:
        return dong(self.penalty_accrued) - self.paid_penalty

    @property
    def is_paid(self) -> bool:
        return self.unpaid_principal == 0 and self.unpaid_interest == 0


@dataclass(frozen=True)
class Allocation:
    payment_id: object
    on: date
    instalment: int
    kind: str  # "penalty", "interest", "principal"
    amount: Decimal


KIND_LABELS = {"penalty": "Lãi quá hạn", "interest": "Lãi", "principal": "Gốc"}


@dataclass
class LoanState:
    on: date
    instalments: list[Instalment] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    disbursed: Decimal = ZERO
    restructure_count: int = 0
    first_restructure: str = EXTENSION
    written_off: bool = False
    unallocated: Decimal = ZERO
    thresholds: Thresholds = DEFAULT_THRESHOLDS

    @property
    def principal_paid(self) -> Decimal:
        return sum((i.paid_principal for i in self.instalments), ZERO)

    @property
    def outstanding_principal(self) -> Decimal:
        return self.disbursed - self.principal_paid

    def _overdue(self):
        return [i for i in self.instalments if i.due_date < self.on]

    @property
    def overdue_principal(self) -> Decimal:
        return sum((i.unpaid_principal for i in self._overdue()), ZERO)

    @property
    def overdue_interest(self) -> Decimal:
        return sum((i.unpaid_interest for i in self._overdue()), ZERO)

    @property
    def penalty_due(self) -> Decimal:
        return sum((i.penalty_due for i in self.instalments), ZERO)

    @property
    def days_past_due(self) -> int:
        late = [i.due_date for i in self._overdue() if not i.is_paid]
        return (self.on - min(late)).days if late else 0

    @property
    def debt_group(self) -> int:
        return (
            5
            if self.written_off
            else debt_group(self.days_past_due, self.restructure_count, self.thresholds, self.first_restructure)
        )

    @property
    def provision(self) -> Decimal:
        return dong(self.outstanding_principal * PROVISION_RATES[self.debt_group])

    @property
    def next_instalment(self) -> Instalment | None:
        return next((i for i in self.instalments if i.due_date >= self.on and not i.is_paid), None)

    @property
    def payoff_amount(self) -> Decimal:
        """What repays the loan in full today: overdue interest, interest due and of the current period, principal."""
        due_interest = sum((i.unpaid_interest for i in self.instalments if i.due_date <= self.on), ZERO)
        current = next((i for i in self.instalments if i.due_date > self.on and not i.closed), None)
        current_interest = current.unpaid_interest if current else ZERO
        return self.penalty_due + due_interest + current_interest + self.outstanding_principal

    @property
    def is_repaid(self) -> bool:
        return (
            self.disbursed > 0
            and self.outstanding_principal == 0
            and self.penalty_due == 0
            and all(i.is_paid for i in self.instalments)
        )


@dataclass(frozen=True)
class Event:
    on: date
    kind: str  # "disbursement", "payment", "restructuring", "write_off"
    amount: Decimal = ZERO
    ref: object = None
    term_months: int = 0
    restructure_kind: str = EXTENSION


ORDER = {"disbursement": 0, "payment": 1, "restructuring": 2, "write_off": 3}


def replay(
    terms: Terms,
    overdue_multiplier: Decimal,
    events: list[Event],
    on: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> LoanState:
    """The loan's state at the end of day `on`, counting only events on or before it; the debt group uses
    `thresholds`, the values in force on `on`."""
    state = LoanState(on=on, thresholds=thresholds)
    penalty_rate = Decimal(terms.annual_rate) / 100 * Decimal(overdue_multiplier) / 365
    tranches: list[tuple[date, Decimal]] = []
    current_terms = terms
    restructured = False
    for event in sorted(events, key=lambda e: (e.on, ORDER[e.kind])):
        if event.on > on:
            break
        _accrue(state, penalty_rate, event.on)
        if event.kind == "disbursement":
            if restructured:
                raise ValueError("Disbursement after a restructuring")
            tranches.append((event.on, event.amount))
            state.disbursed += event.amount
            _rebuild(state, tranches, current_terms)
        elif event.kind == "payment":
            _allocate(state, event)
        elif event.kind == "restructuring":
            current_terms = replace(terms, term_months=event.term_months, grace_months=0)
            _restructure(state, event.on, current_terms)
            if not state.restructure_count:
                state.first_restructure = event.restructure_kind
            state.restructure_count += 1
            restructured = True
        elif event.kind == "write_off":
            state.written_off = True
    _accrue(state, penalty_rate, on)
    return state


def _rebuild(state: LoanState, tranches, terms: Terms) -> None:
    """A new tranche: rebuild the schedule and carry what each instalment has been paid so far."""
    paid = {i.number: i for i in state.instalments}
    rows = loan_schedule(tranches, terms)
    new = []
    for row in rows:
        old = paid.get(row.number)
        inst = Instalment(row.number, row.due_date, row.principal, row.interest)
        if old:
            inst.paid_principal, inst.paid_interest = old.paid_principal, old.paid_interest
            inst.paid_penalty, inst.penalty_accrued, inst.accrued_to = (
                old.paid_penalty,
                old.penalty_accrued,
                old.accrued_to,
            )
        new.append(inst)
    state.instalments = new


def _accrue(state: LoanState, daily_rate: Decimal, to: date) -> None:
    for inst in state.instalments:
        if inst.closed or inst.unpaid_principal <= 0 or inst.due_date >= to:
            continue
        start = max(inst.due_date, inst.accrued_to or inst.due_date)
        if to > start:
            inst.penalty_accrued += inst.unpaid_principal * daily_rate * (to - start).days
            inst.accrued_to = to


def _allocate(state: LoanState, event: Event) -> None:
    left = event.amount
    on = event.on
    live = [i for i in state.instalments if not i.closed]
    due = [i for i in live if i.due_date <= on]
    future = [i for i in live if i.due_date > on]

    def pay(inst: Instalment, kind: str, owed: Decimal) -> None:
        nonlocal left
        amount = min(left, owed)
        if amount <= 0:
            return
        if kind == "penalty":
            inst.paid_penalty += amount
        elif kind == "interest":
            inst.paid_interest += amount
        else:
            inst.paid_principal += amount
        left -= amount
        state.allocations.append(Allocation(event.ref, on, inst.number, kind, amount))

    for inst in state.instalments:
        pay(inst, "penalty", inst.penalty_due)
    for inst in due:
        pay(inst, "interest", inst.unpaid_interest)
    for inst in due:
        pay(inst, "principal", inst.unpaid_principal)
    if future:
        pay(future[0], "interest", future[0].unpaid_interest)
    for inst in future:
        pay(inst, "principal", inst.unpaid_principal)
    state.unallocated += left
    if state.outstanding_principal == 0 and state.disbursed > 0:
        # Repaid in full: periods that have not begun carry no interest.
        begun = future[0].number if future else None
        for inst in future:
            if inst.number != begun and inst.unpaid_interest > 0:
                inst.cancelled_interest = inst.unpaid_interest
                inst.interest = inst.paid_interest


def _restructure(state: LoanState, on: date, terms: Terms) -> None:
    unpaid = state.outstanding_principal
    carried = ZERO
    for inst in state.instalments:
        if inst.closed:
            continue
        if inst.due_date <= on:
            carried += inst.unpaid_interest
        carried += max(inst.penalty_due, ZERO)
        inst.principal, inst.interest = inst.paid_principal, inst.paid_interest
        inst.penalty_accrued = Decimal(inst.paid_penalty)
        inst.closed = True
    if unpaid <= 0:
        return
    rows = build_schedule(unpaid, on, terms, dates=due_dates(on, terms), first_number=len(state.instalments) + 1)
    for index, row in enumerate(rows):
        state.instalments.append(
            Instalment(row.number, row.due_date, row.principal, row.interest + (carried if index == 0 else ZERO))
        )
