"""Reads for the workspace and the province's view: a fixed number of queries whatever the data size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.utils import timezone

from portal.extract import file_hits, missing_words
from portal.models import Agency, IssuedDocument
from portal.search import terms

from .indicators import indicators_for
from .models import (
    CELL_BADGES,
    CellState,
    DocumentFile,
    Report,
    ReportRequest,
    ReportTransition,
    ReportValue,
    Task,
    TaskAssignment,
    report_cell_state,
)


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

    @property
    def day(self) -> date | None:
        """When the report last moved (sent, accepted, returned), for lists that show one date."""
        moved = getattr(self.report, "last_moved_at", None)
        return None if moved is None else timezone.localdate(moved)


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


def task_reports(task_ids, *, on: date, agency_ids=None) -> dict[tuple[int, int], list[Cell]]:
    """The reports of requests tied to the tasks, per (task, agency) asked, with their state and when they last
    moved; an agency asked that has not started its report has a cell without a report. Two queries."""
    asked = ReportRequest.agencies.through.objects.filter(reportrequest__task_id__in=task_ids).select_related(
        "reportrequest", "agency"
    )
    reports = Report.objects.filter(request__task_id__in=task_ids).annotate(
        last_moved_at=Subquery(
            ReportTransition.objects.filter(report=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
        )
    )
    if agency_ids is not None:
        asked = asked.filter(agency_id__in=agency_ids)
        reports = reports.filter(agency_id__in=agency_ids)
    by_pair = {(r.request_id, r.agency_id): r for r in reports}
    cells: dict[tuple[int, int], list[Cell]] = defaultdict(list)
    for row in sorted(asked, key=lambda row: (row.reportrequest.deadline, row.reportrequest_id)):
        request = row.reportrequest
        report = by_pair.get((request.pk, row.agency_id))
        if report is not None:
            report.request = request
        cells[(request.task_id, row.agency_id)].append(_cell(request, row.agency, report, on))
    return dict(cells)


def directive_task_table(document, *, on: date, with_reports: bool = False):
    """A directive's tasks, each with its assignments (status per agency); with the reports of requests tied to
    each task for staff (`assignment.tied_reports`, and `task.tied_requests`)."""
    tasks = _directive_tasks(document)
    if with_reports:
        cells = task_reports([task.pk for task in tasks], on=on)
        for task in tasks:
            requests = {}
            for assignment in task.assignments.all():
                assignment.tied_reports = cells.get((task.pk, assignment.agency_id), [])
                requests.update((cell.request.pk, cell.request) for cell in assignment.tied_reports)
            task.tied_requests = sorted(requests.values(), key=lambda r: (r.deadline, r.pk))
    return tasks


def _directive_tasks(document):
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


def document_file_hits(documents, q: str) -> dict:
    """{document id: FileHit} for the documents of one list page that a query found only through an attachment's
    text: the file, the page of the first hit, a snippet from it (one query, and none when nothing is missing)."""
    words = terms(q)
    wanted = {}
    for doc in documents:
        missing = missing_words(f"{doc} {doc.issuer} {doc.signer} {doc.summary}", words)
        if missing:
            wanted[doc.pk] = missing
    if not wanted:
        return {}
    files = DocumentFile.objects.filter(document_id__in=list(wanted))
    return file_hits(files, "document_id", wanted, name_field="original_name", url=document_file_url)


def document_file_url(pk: int, stored: str) -> str:
    return f"/van-ban/tep/{pk}/?xem=1"


def not_submitted(request: ReportRequest) -> list[Agency]:
    """The agencies asked whose report has not reached the alliance: not started, a draft, or returned."""
    sent = Report.objects.filter(request=request, state__in=[Report.State.SUBMITTED, Report.State.ACCEPTED])
    return list(request.agencies.exclude(pk__in=sent.values("agency_id")).order_by("kind", "name"))


def request_documents(request: ReportRequest) -> dict[str, list[IssuedDocument]]:
    """What the alliance issued about a request: its summary reports and its letters, the latest first."""
    issued = list(
        IssuedDocument.objects.filter(
            source_type__app_label="directives", source_type__model="reportrequest", source_id=request.pk
        )
        .prefetch_related("addressed_to")
        .order_by("-issued_at", "-pk")
    )
    return {
        "summaries": [doc for doc in issued if doc.kind == IssuedDocument.Kind.REPORT],
        "letters": [doc for doc in issued if doc.kind == IssuedDocument.Kind.LETTER],
    }
