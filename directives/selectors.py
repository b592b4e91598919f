"""Reads for the workspace and the province's view: a fixed number of queries whatever the data size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Sum

from portal.models import Agency

from .indicators import indicators_for
from .models import CELL_BADGES, CellState, Report, ReportRequest, ReportValue, Task, TaskAssignment, report_cell_state


@dataclass
class Cell:
    request: ReportRequest
    agency: Agency
    report: Report | None
    state: str
    overdue: bool

    @property
    def label(self) -> str:
        label = CellState(self.state).label
        return f"{label} (quá hạn)" if self.overdue else label

    @property
    def badge(self) -> str:
        return "badge-bad" if self.overdue else CELL_BADGES[self.state]


def _cell(request, agency, report, on) -> Cell:
    state = report_cell_state(report)
    overdue = state in (CellState.NOT_STARTED, CellState.DRAFT, CellState.RETURNED) and request.deadline < on
    return Cell(request, agency, report, state, overdue)


def workspace_requests(agency_ids, *, on: date) -> list[Cell]:
    """The agencies' report requests with their report's state: overdue and due soonest first, closed ones last."""
    through = ReportRequest.agencies.through.objects.filter(agency_id__in=agency_ids).select_related(
        "reportrequest", "agency"
    )
    rows = list(through)
    reports = {
        (r.request_id, r.agency_id): r
        for r in Report.objects.filter(agency_id__in=agency_ids, request_id__in={row.reportrequest_id for row in rows})
    }
    cells = [
        _cell(row.reportrequest, row.agency, reports.get((row.reportrequest_id, row.agency_id)), on) for row in rows
    ]
    closed = {CellState.ACCEPTED, CellState.SUBMITTED_ON_TIME, CellState.SUBMITTED_LATE}

    def key(cell):
        is_closed = cell.state in closed
        day = cell.request.deadline.toordinal()
        return (is_closed, -day if is_closed else day, cell.request.pk, cell.agency.name)

    return sorted(cells, key=key)


def workspace_assignments(agency_ids):
    return (
        TaskAssignment.objects.filter(agency_id__in=agency_ids)
        .select_related("task__document", "agency")
        .order_by("completed_on", "task__deadline", "task__document__issue_date", "task__order")
    )


def sort_assignments(assignments, *, on: date):
    """Unfinished first, then the earliest due date (ongoing tasks after dated ones)."""
    return sorted(
        assignments,
        key=lambda a: (a.completed_on is not None, a.due_date is None, a.due_date or date.max, a.pk),
    )


@dataclass
class Matrix:
    requests: list[ReportRequest]
    rows: list[tuple[Agency, list[Cell | None]]] = field(default_factory=list)


def report_matrix(requests, *, on: date) -> Matrix:
    """Agencies × report requests; a cell is None where the agency was not asked.

    Three queries whatever the size: the (request, agency) pairs asked, the agencies (names only) and the reports
    (their state and first submission only), joined in dictionaries rather than by scanning lists."""
    requests = list(requests)
    by_pk = {r.pk: r for r in requests}
    asked = set(
        ReportRequest.agencies.through.objects.filter(reportrequest_id__in=by_pk).values_list(
            "reportrequest_id", "agency_id"
        )
    )
    agencies = Agency.objects.filter(pk__in={agency_id for _, agency_id in asked}).only("pk", "kind", "name")
    reports = {}
    for report in (
        Report.objects.filter(request_id__in=by_pk)
        .only("pk", "request_id", "agency_id", "state", "first_submitted_at")
        .order_by()
    ):
        report.request = by_pk[report.request_id]  # for submitted_on_time(), without a join
        reports[(report.request_id, report.agency_id)] = report
    matrix = Matrix(requests)
    for agency in agencies.order_by("kind", "name"):
        cells = []
        for request in requests:
            key = (request.pk, agency.pk)
            cells.append(_cell(request, agency, reports.get(key), on) if key in asked else None)
        matrix.rows.append((agency, cells))
    return matrix


@dataclass
class RequestSummary:
    request: ReportRequest
    cells: list[Cell]
    asked: int
    submitted: int
    on_time: int
    indicators: list
    unit_rows: list[tuple[str, dict[str, Decimal]]]
    province: dict[str, Decimal]

    @property
    def units(self) -> list[str]:
        return [unit for unit, _ in self.unit_rows]

    @property
    def table(self) -> list[tuple]:
        """(indicator, [value per unit], province total) rows in the request's indicator order."""
        return [
            (item, [sums.get(item.code) for _, sums in self.unit_rows], self.province.get(item.code))
            for item in self.indicators
        ]

    @property
    def completeness(self) -> Decimal:
        return _rate(self.submitted, self.asked)

    @property
    def timeliness(self) -> Decimal:
        return _rate(self.on_time, self.asked)


def _rate(part, whole) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def request_summary(request: ReportRequest, *, on: date) -> RequestSummary:
    """Cells per agency, completeness (submitted or accepted / asked), timeliness (first sent by the deadline / asked),
    and the indicators of accepted reports summed per unit and for the province."""
    agencies = list(request.agencies.select_related("unit").order_by("kind", "name"))
    reports = {r.agency_id: r for r in Report.objects.filter(request=request).select_related("request")}
    cells = [_cell(request, agency, reports.get(agency.pk), on) for agency in agencies]
    sent = [c for c in cells if c.report and c.report.state in (Report.State.SUBMITTED, Report.State.ACCEPTED)]
    on_time = [c for c in cells if c.report and c.report.submitted_on_time()]
    indicators = indicators_for(request.indicator_codes)
    sums = (
        ReportValue.objects.filter(report__request=request, report__state=Report.State.ACCEPTED, value__isnull=False)
        .values("report__agency__unit__name", "code")
        .annotate(total=Sum("value"))
        .order_by("report__agency__unit__name")
    )
    per_unit: dict[str, dict[str, Decimal]] = defaultdict(dict)
    province: dict[str, Decimal] = defaultdict(Decimal)
    for row in sums:
        per_unit[row["report__agency__unit__name"]][row["code"]] = row["total"]
        province[row["code"]] += row["total"]
    return RequestSummary(
        request=request,
        cells=cells,
        asked=len(cells),
        submitted=len(sent),
        on_time=len(on_time),
        indicators=indicators,
        unit_rows=sorted(per_unit.items()),
        province=dict(province),
    )


def directive_task_table(document, *, on: date):
    """A directive's tasks, each with its assignments (status per agency)."""
    return list(
        Task.objects.filter(document=document)
        .select_related("lead_agency")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TaskAssignment.objects.select_related("agency").order_by(
                    "role", "agency__kind", "agency__name"
                ),
            )
        )
    )
