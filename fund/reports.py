"""Portfolio reports as of any date (selectors).

The loans in the report are always the loan book's (booked, disbursed by the date); each loan's figures come from
its snapshot for the date when one is stored and otherwise from replaying it. Snapshots are dropped whenever a
change reaches their date (`fund.signals`), so both ways give the same figures (tests/fund/test_snapshots.py).

Written-off loans are off the balance sheet: they are in none of the tables of outstanding, overdue, ageing,
debt groups, PAR or provisions, and are reported apart (`Portfolio.off_balance`). Every table of one report
adds up to the same totals (tests/fund/test_report_totals.py)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from portal.unitmap import area_today

from .models import Disbursement, DisbursementPlan, Loan, LoanSnapshot
from .services import SNAPSHOT_FIELDS, snapshot_values

ZERO = Decimal(0)
AGEING_BUCKETS = [
    ("Trong hạn", 0, 0),
    ("1 - 30 ngày", 1, 30),
    ("31 - 90 ngày", 31, 90),
    ("91 - 180 ngày", 91, 180),
    ("181 - 360 ngày", 181, 360),
    ("Trên 360 ngày", 361, None),
]
GROUP_NAMES = {
    1: "Nợ đủ tiêu chuẩn",
    2: "Nợ cần chú ý",
    3: "Nợ dưới tiêu chuẩn",
    4: "Nợ nghi ngờ",
    5: "Nợ có khả năng mất vốn",
}


@dataclass
class Line:
    """One loan's figures as of the report date."""

    loan: Loan
    status: str
    disbursed: Decimal
    outstanding_principal: Decimal
    overdue_principal: Decimal
    overdue_interest: Decimal
    penalty_due: Decimal
    days_past_due: int
    debt_group: int
    provision: Decimal
    restructure_count: int = 0
    written_off_principal: Decimal = ZERO
    recovered: Decimal = ZERO
    disbursed_in_period: Decimal = ZERO

    @property
    def district(self):
        unit = self.loan.cooperative.unit
        return unit.parent if unit.level == "commune" and unit.parent_id else unit


@dataclass
class Total:
    label: str
    loans: int = 0
    outstanding: Decimal = ZERO
    disbursed_in_period: Decimal = ZERO
    overdue: Decimal = ZERO

    def add(self, line: Line) -> None:
        if line.outstanding_principal > 0:
            self.loans += 1
        self.outstanding += line.outstanding_principal
        self.disbursed_in_period += line.disbursed_in_period
        self.overdue += line.overdue_principal


@dataclass
class OffBalance:
    """Written-off loans, followed off the balance sheet: how many, the principal written off, what came back."""

    loans: int = 0
    principal: Decimal = ZERO
    recovered: Decimal = ZERO
    disbursed_in_period: Decimal = ZERO
    lines: list[Line] = field(default_factory=list)

    def add(self, line: Line) -> None:
        self.loans += 1
        self.principal += line.written_off_principal
        self.recovered += line.recovered
        self.disbursed_in_period += line.disbursed_in_period
        self.lines.append(line)


@dataclass
class Portfolio:
    on: date
    start: date
    source: str
    lines: list[Line]
    by_unit: list[Total] = field(default_factory=list)
    today_map: bool = False

    @property
    def by_unit_title(self) -> str:
        return "Theo địa bàn (theo địa giới hiện nay)" if self.today_map else "Theo địa bàn (huyện, đến 30/6/2025)"

    by_sector: list[Total] = field(default_factory=list)
    by_product: list[Total] = field(default_factory=list)
    ageing: list[Total] = field(default_factory=list)
    groups: list[Total] = field(default_factory=list)
    total: Total = field(default_factory=lambda: Total("Cộng"))
    par30: Decimal = ZERO
    plan: Decimal | None = None
    disbursed_in_year: Decimal = ZERO
    # Its split: loans in the tables, and loans written off by the report's date (off the balance sheet).
    disbursed_in_year_on_balance: Decimal = ZERO
    disbursed_in_year_off_balance: Decimal = ZERO
    provision: Decimal = ZERO
    off_balance: OffBalance = field(default_factory=OffBalance)

    @property
    def overdue(self) -> list[Line]:
        """Loans past due, the latest first; written-off loans are off the books and listed apart."""
        late = (x for x in self.lines if x.days_past_due > 0 and x.status != Loan.Status.WRITTEN_OFF)
        return sorted(late, key=lambda x: -x.days_past_due)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def plan_pct(self) -> Decimal | None:
        if not self.plan:
            return None
        return (self.disbursed_in_year * 100 / self.plan).quantize(Decimal("0.1"))


LINE_FIELDS = SNAPSHOT_FIELDS
SOURCE_LABELS = {
    "snapshot": "số liệu chốt cuối ngày",
    "live": "tính từ sổ cho vay",
    "mixed": "số liệu chốt cuối ngày; khoản vay có giao dịch ghi nhận sau đó được tính lại từ sổ cho vay",
}


def _loans():
    return Loan.objects.select_related("product", "cooperative__unit__parent", "member")


def _booked_on(on: date):
    """The loans of the book at the end of `on`: booked, with a disbursement by then."""
    return _loans().filter(status__in=Loan.BOOKED, disbursements__disbursed_on__lte=on).distinct().order_by("code")


def _replayed(loans, on: date) -> list[Line]:
    loans = loans.prefetch_related("disbursements", "payments", "restructurings")
    return [Line(loan=loan, **snapshot_values(loan, on)) for loan in loans]


def lines_live(on: date) -> list[Line]:
    return _replayed(_booked_on(on), on)


def lines_from_snapshots(on: date) -> tuple[list[Line], int]:
    """Each loan of the book on `on` from its stored row, or replayed when it has none (dropped by a later
    change, or the loan was booked after the night's run); also how many came from stored rows."""
    loans = list(_booked_on(on))
    stored = {s.loan_id: s for s in LoanSnapshot.objects.filter(on=on).only("loan_id", *LINE_FIELDS)}
    missing = [loan.pk for loan in loans if loan.pk not in stored]
    replayed = {}
    if missing:
        rest = _booked_on(on) if len(missing) == len(loans) else _loans().filter(pk__in=missing)
        replayed = {line.loan.pk: line for line in _replayed(rest, on)}
    lines = [
        replayed[loan.pk]
        if loan.pk in replayed
        else Line(loan=loan, **{name: getattr(stored[loan.pk], name) for name in LINE_FIELDS})
        for loan in loans
    ]
    return lines, len(loans) - len(missing)


def portfolio(on: date, *, start: date | None = None, source: str = "auto", today_map: bool = False) -> Portfolio:
    """The portfolio at the end of `on`; `start` opens the period for "disbursed in the period" (1 January).
    `source="live"` replays every loan instead of reading the stored figures (both give the same figures).
    The table by area counts each loan in its borrower's district (the units of 2022), or, with `today_map`, in the
    commune the borrower's unit lies in today (portal.unitmap); both add up to the same totals."""
    start = start or date(on.year, 1, 1)
    if source == "live":
        lines = lines_live(on)
    else:
        lines, stored = lines_from_snapshots(on)
        source = "snapshot" if lines and stored == len(lines) else "mixed" if stored else "live"
    period = dict(
        Disbursement.objects.filter(disbursed_on__range=(start, on))
        .values("loan_id")
        .annotate(s=Sum("amount"))
        .values_list("loan_id", "s")
    )
    for line in lines:
        line.disbursed_in_period = period.get(line.loan.pk, ZERO)
    report = Portfolio(on=on, start=start, source=source, lines=lines, today_map=today_map)
    by_unit, by_sector, by_product = OrderedDict(), OrderedDict(), OrderedDict()
    ageing = [Total(label) for label, *_ in AGEING_BUCKETS]
    groups = [Total(f"Nhóm {g}: {name}") for g, name in GROUP_NAMES.items()]
    at_risk = ZERO
    for line in lines:
        if line.status == Loan.Status.WRITTEN_OFF:
            report.off_balance.add(line)
            continue
        if today_map:
            area = area_today(line.loan.cooperative.unit_id)
            by_unit.setdefault(area.id, Total(area.name)).add(line)
        else:
            district = line.district
            by_unit.setdefault(district.pk, Total(district.name)).add(line)
        coop = line.loan.cooperative
        by_sector.setdefault(coop.sector, Total(coop.get_sector_display())).add(line)
        by_product.setdefault(line.loan.product_id, Total(line.loan.product.name)).add(line)
        report.total.add(line)
        report.provision += line.provision
        # Every loan of the book goes to one bucket and one group (a settled one adds only what it disbursed in
        # the period), so these tables add up to the same totals as the others.
        for bucket, (_label, low, high) in zip(ageing, AGEING_BUCKETS, strict=True):
            if line.days_past_due >= low and (high is None or line.days_past_due <= high):
                bucket.add(line)
        groups[line.debt_group - 1].add(line)
        if line.days_past_due > 30:
            at_risk += line.outstanding_principal
    report.by_unit = sorted(by_unit.values(), key=lambda t: t.label)
    report.by_sector = sorted(by_sector.values(), key=lambda t: t.label)
    report.by_product = sorted(by_product.values(), key=lambda t: t.label)
    report.ageing, report.groups = ageing, groups
    if report.total.outstanding:
        report.par30 = (at_risk * 100 / report.total.outstanding).quantize(Decimal("0.01"))
    plan = DisbursementPlan.objects.filter(year=on.year).first()
    report.plan = plan.amount if plan else None
    in_year = (
        Disbursement.objects.filter(disbursed_on__year=on.year, disbursed_on__lte=on)
        .values("loan_id")
        .annotate(s=Sum("amount"))
        .values_list("loan_id", "s")
    )
    written_off = {line.loan.pk for line in lines if line.status == Loan.Status.WRITTEN_OFF}
    for loan_id, amount in in_year:
        report.disbursed_in_year += amount
        if loan_id in written_off:
            report.disbursed_in_year_off_balance += amount
        else:
            report.disbursed_in_year_on_balance += amount
    return report


def public_figures() -> dict:
    """Aggregates only, for the public page: no borrower-level data."""
    booked = Loan.objects.booked()
    return {
        "loans": booked.count(),
        "borrowers": booked.values("cooperative_id").distinct().count(),
        "disbursed": Disbursement.objects.aggregate(s=Sum("amount"))["s"] or ZERO,
        "settled": booked.filter(status=Loan.Status.SETTLED).count(),
    }
