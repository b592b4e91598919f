"""Portfolio reports as of any date (selectors). Read the nightly snapshots when they exist for that date,
otherwise replay each loan; both give the same figures (tests/fund/test_reports.py)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from .models import Disbursement, DisbursementPlan, Loan, LoanSnapshot
from .services import snapshot_values

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
class Portfolio:
    on: date
    start: date
    source: str
    lines: list[Line]
    by_unit: list[Total] = field(default_factory=list)
    by_sector: list[Total] = field(default_factory=list)
    by_product: list[Total] = field(default_factory=list)
    ageing: list[Total] = field(default_factory=list)
    groups: list[Total] = field(default_factory=list)
    total: Total = field(default_factory=lambda: Total("Cộng"))
    par30: Decimal = ZERO
    plan: Decimal | None = None
    disbursed_in_year: Decimal = ZERO
    provision: Decimal = ZERO
    written_off: int = 0

    @property
    def overdue(self) -> list[Line]:
        """Loans past due, the latest first; written-off loans are off the books and listed apart."""
        late = (x for x in self.lines if x.days_past_due > 0 and x.status != Loan.Status.WRITTEN_OFF)
        return sorted(late, key=lambda x: -x.days_past_due)

    @property
    def plan_pct(self) -> Decimal | None:
        if not self.plan:
            return None
        return (self.disbursed_in_year * 100 / self.plan).quantize(Decimal("0.1"))


LINE_FIELDS = [
    "status",
    "disbursed",
    "outstanding_principal",
    "overdue_principal",
    "overdue_interest",
    "penalty_due",
    "days_past_due",
    "debt_group",
    "provision",
    "restructure_count",
]


def _loans():
    return Loan.objects.select_related("product", "cooperative__unit__parent", "member")


def lines_live(on: date) -> list[Line]:
    loans = (
        _loans()
        .prefetch_related("disbursements", "payments", "restructurings")
        .filter(status__in=Loan.BOOKED, disbursements__disbursed_on__lte=on)
        .distinct()
        .order_by("code")
    )
    return [Line(loan=loan, **snapshot_values(loan, on)) for loan in loans]


def lines_from_snapshots(on: date) -> list[Line]:
    snaps = LoanSnapshot.objects.filter(on=on).select_related(
        "loan__product", "loan__cooperative__unit__parent", "loan__member"
    )
    return [
        Line(loan=s.loan, **{name: getattr(s, name) for name in LINE_FIELDS})
        for s in sorted(snaps, key=lambda s: s.loan.code)
    ]


def portfolio(on: date, *, start: date | None = None, source: str = "auto") -> Portfolio:
    """The portfolio at the end of `on`; `start` opens the period for "disbursed in the period" (1 January)."""
    start = start or date(on.year, 1, 1)
    if source == "auto":
        source = "snapshot" if LoanSnapshot.objects.filter(on=on).exists() else "live"
    lines = lines_from_snapshots(on) if source == "snapshot" else lines_live(on)
    period = dict(
        Disbursement.objects.filter(disbursed_on__range=(start, on))
        .values("loan_id")
        .annotate(s=Sum("amount"))
        .values_list("loan_id", "s")
    )
    for line in lines:
        line.disbursed_in_period = period.get(line.loan.pk, ZERO)
    report = Portfolio(on=on, start=start, source=source, lines=lines)
    by_unit, by_sector, by_product = OrderedDict(), OrderedDict(), OrderedDict()
    ageing = [Total(label) for label, *_ in AGEING_BUCKETS]
    groups = [Total(f"Nhóm {g}: {name}") for g, name in GROUP_NAMES.items()]
    at_risk = ZERO
    for line in lines:
        district = line.district
        by_unit.setdefault(district.pk, Total(district.name)).add(line)
        coop = line.loan.cooperative
        by_sector.setdefault(coop.sector, Total(coop.get_sector_display())).add(line)
        by_product.setdefault(line.loan.product_id, Total(line.loan.product.name)).add(line)
        report.total.add(line)
        report.provision += line.provision
        if line.status == Loan.Status.WRITTEN_OFF:
            report.written_off += 1
            continue
        if line.outstanding_principal > 0:
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
    report.disbursed_in_year = (
        Disbursement.objects.filter(disbursed_on__year=on.year, disbursed_on__lte=on).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
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
