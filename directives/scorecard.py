"""The district scorecard: one row per district in force on a date (or, on today's map, per commune of today), each
figure the count of the list behind it.

The cooperative figures are the registry's conditions (cooperatives.selectors.scorecard_filter), counted per district
here and filtered by the staff registry list; arrears come from the fund's portfolio lines (fund.selectors); reports
and tasks are read here, by the same functions that draw their lists. A fixed number of queries whatever the number
of districts, cooperatives, reports or loans.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cooperatives.selectors import new_cooperative_targets, scorecard_counts
from fund.selectors import Arrears, arrears_by_district
from portal.models import AdministrativeUnit, Agency
from portal.unitmap import THEN_MAP_LABEL, TODAY_MAP, TODAY_MAP_LABEL, UNKNOWN, area_key, today_areas

from .models import Report, ReportRequest, TaskAssignment

DONE = (TaskAssignment.Status.DONE_ON_TIME, TaskAssignment.Status.DONE_LATE)

# Column key, heading, and the scorecard condition of the registry list behind the figure (and its base, "of N").
COOPERATIVE_COLUMNS = [
    ("active", "HTX đang hoạt động", None),
    ("weak", "HTX yếu", None),
    ("new", "Thành lập mới / chỉ tiêu", None),
    ("congress_held", "Đại hội thường niên đúng hạn", "congress_due"),
    ("board", "HĐQT còn nhiệm kỳ", "operating"),
    ("trained", "Có cán bộ quản lý được bồi dưỡng", "operating"),
    ("accounts", "Có sổ sách kế toán", "accounts_base"),
]

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _words_below_100(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if ones == 0:
        return head
    if ones == 5:
        tail = "lăm"
    elif ones == 1 and tens > 1:
        tail = "mốt"
    elif ones == 4 and tens > 1:
        tail = "tư"
    else:
        tail = DIGITS[ones]
    return f"{head} {tail}"


def percent_in_words(value: Decimal) -> str:
    """A percentage from 0 to 100 with at most one decimal, as it is read aloud: 3,2 → "ba phẩy hai phần trăm"."""
    value = Decimal(value).quantize(Decimal("0.1"))
    whole, tenth = divmod(int(value * 10), 10)
    words = "một trăm" if whole == 100 else _words_below_100(whole)
    if tenth:
        words += f" phẩy {DIGITS[tenth]}"
    return f"{words} phần trăm"


def percent_text(value: Decimal) -> str:
    """3,2 % in figures, with a decimal comma."""
    return f"{Decimal(value).quantize(Decimal('0.1'))}".replace(".", ",") + " %"


def districts_in_force(on: date) -> tuple[list[AdministrativeUnit], date | None]:
    """The district-level units in force on `on`. When none is (the district tier ended on 30/06/2025 and the
    catalogue has no unit that replaced it yet), the districts as they last stood, with the day they ended: the
    registry still groups its cooperatives by them, and an empty table would say nothing."""
    districts = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.DISTRICT).order_by("code")
    started = Q(valid_from__isnull=True) | Q(valid_from__lte=on)
    current = list(districts.filter(started, Q(valid_to__isnull=True) | Q(valid_to__gte=on)))
    if current:
        return current, None
    ended = districts.filter(started, valid_to__lt=on).order_by("-valid_to").values_list("valid_to", flat=True).first()
    if ended is None:
        return [], None
    return list(districts.filter(started, valid_to=ended)), ended


def _agency_districts(today_map: bool = False) -> dict[int, int | str | None]:
    """Each agency's row key: its district id (a commune agency belongs to its district); with `today_map`, a commune
    committee's commune on today's map (portal.unitmap.area_key), and None for every other agency (a department, a
    district committee: their figures count in the province's total only, no commune of today is theirs)."""
    out = {}
    areas = today_areas() if today_map else None
    for agency_id, unit_id, level, parent_id in Agency.objects.values_list(
        "pk", "unit_id", "unit__level", "unit__parent_id"
    ):
        commune = level == AdministrativeUnit.Level.COMMUNE
        if areas is not None:
            out[agency_id] = area_key(areas.get(unit_id, UNKNOWN)) if commune else None
        else:
            out[agency_id] = parent_id if commune and parent_id else unit_id
    return out


# --- reports and tasks: the rows behind the figures ---------------------------------------------------------------


@dataclass
class ReportRow:
    request: ReportRequest
    agency: Agency
    report: Report | None
    on_time: bool


def report_rows(on: date, *, district_id: int | None = None, today_map: bool = False) -> list[ReportRow]:
    """The reports owed for the year's requests whose deadline passed before `on`, one per (request, agency), with
    whether the first submission came by the deadline; those of one district's agencies when given (with
    `today_map`, of one commune of today's map)."""
    districts = _agency_districts(today_map)
    through = (
        ReportRequest.agencies.through.objects.filter(
            reportrequest__deadline__year=on.year, reportrequest__deadline__lt=on
        )
        .select_related("reportrequest", "agency")
        .order_by("reportrequest__deadline", "reportrequest_id", "agency__name")
    )
    pairs = [p for p in through if district_id is None or districts.get(p.agency_id) == district_id]
    reports = {
        (r.request_id, r.agency_id): r
        for r in Report.objects.filter(request__deadline__year=on.year, request__deadline__lt=on).only(
            "pk", "request_id", "agency_id", "state", "first_submitted_at"
        )
    }
    rows = []
    for pair in pairs:
        report = reports.get((pair.reportrequest_id, pair.agency_id))
        sent = report.first_submitted_at if report else None
        on_time = sent is not None and timezone.localdate(sent) <= pair.reportrequest.deadline
        rows.append(ReportRow(pair.reportrequest, pair.agency, report, on_time))
    return rows


def task_rows(on: date, *, district_id: int | None = None, today_map: bool = False) -> list[tuple[TaskAssignment, str]]:
    """The agencies' task assignments with their status on `on` (TaskAssignment.status), those of one district's
    agencies when given (with `today_map`, of one commune of today's map)."""
    districts = _agency_districts(today_map)
    assignments = TaskAssignment.objects.select_related("task__document", "agency").order_by(
        "task__deadline", "task__pk", "agency__name"
    )
    return [(a, a.status(on)) for a in assignments if district_id is None or districts.get(a.agency_id) == district_id]


# --- the table ------------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    value: int | None
    url: str = ""
    of: int | None = None
    of_url: str = ""


@dataclass
class Row:
    name: str
    unit_id: int | str | None  # a unit's id; None for the province; UNKNOWN's code for "no commune of today known"
    own: bool = False
    figures: dict[str, Figure] = field(default_factory=dict)
    target: int = 0
    arrears: Arrears = field(default_factory=Arrears)

    @property
    def arrears_percent(self) -> Decimal | None:
        return self.arrears.percent

    @property
    def arrears_text(self) -> str:
        pct = self.arrears.percent
        return "" if pct is None else percent_text(pct)

    @property
    def arrears_words(self) -> str:
        pct = self.arrears.percent
        return "không có dư nợ" if pct is None else percent_in_words(pct)


@dataclass
class Scorecard:
    on: date
    rows: list[Row]
    total: Row
    units_ended: date | None = None  # the rows are units that ended on this day (none has replaced them yet)
    today_map: bool = False  # the rows are today's communes, every figure re-aggregated onto them

    @property
    def map_label(self) -> str:
        return TODAY_MAP_LABEL if self.today_map else THEN_MAP_LABEL


def _link(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def _targets_today(targets: dict[int, int]) -> dict:
    """The year's targets of communes, filed under their commune of today (as the dashboard's table,
    cooperatives.services.targets_by_unit); a district's target, or one of a commune whose place today nobody has
    said, has no commune of today and counts in the province's total only."""
    areas = today_areas()
    communes = set(
        AdministrativeUnit.objects.filter(pk__in=targets, level=AdministrativeUnit.Level.COMMUNE).values_list(
            "pk", flat=True
        )
    )
    out: dict = {}
    for unit_id, n in targets.items():
        area = areas.get(unit_id, UNKNOWN)
        key = area.id if unit_id in communes and area.is_commune else None
        out[key] = out.get(key, 0) + n
    return out


def _today_rows(keys) -> list[tuple[str, int | str]]:
    """(name, key) of the rows of today's map: each commune in force today that has a figure, by code, then the
    units whose place today nobody has said."""
    ids = {k for k in keys if isinstance(k, int)}
    units = AdministrativeUnit.objects.filter(pk__in=ids).order_by("code").values_list("name", "pk")
    rows = list(units)
    if UNKNOWN.code in keys:
        rows.append((UNKNOWN.name, UNKNOWN.code))
    return rows


def scorecard(
    on: date, *, own_unit_ids=frozenset(), linked=lambda unit_id: True, loans_linked=True, today_map: bool = False
) -> Scorecard:
    """The scorecard on `on`. `linked(unit_id)` says whether the viewer may open a district's lists (None: the
    province), `loans_linked` whether they may open the loan book at all. With `today_map` the rows are the communes
    of today's map, the same cooperatives, loans and commune committees' reports and tasks re-aggregated onto them
    (portal.unitmap); what belongs to no commune of today (a department's report, a district's target) counts in the
    province's total only, on either map."""
    day = on.strftime("%d/%m/%Y")
    counts = scorecard_counts(on=on, today_map=today_map)
    targets = new_cooperative_targets(year=on.year)
    if today_map:
        targets = _targets_today(targets)
    arrears = arrears_by_district(on, today_map=today_map)
    reports, tasks = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    agency_district = _agency_districts(today_map)
    for row in report_rows(on):
        key = agency_district.get(row.agency.pk)
        reports[key][0] += row.on_time
        reports[key][1] += 1
    for assignment, status in task_rows(on):
        key = agency_district.get(assignment.agency_id)
        tasks[key][0] += status in DONE
        tasks[key][1] += status == TaskAssignment.Status.OVERDUE

    def build(name, unit_id, pick):
        # A row of today's map is filed under its commune's id, or UNKNOWN's code: no list filters by "unknown",
        # so that row's figures are not links.
        may = linked(unit_id) and not isinstance(unit_id, str)
        area = "xa" if today_map else "unit"
        unit = {"xa" if today_map else "don_vi": unit_id}

        def registry(condition):
            params = {area: unit_id, "chi_so": condition, "ngay": day}
            return _link("cooperatives:registry_list", params) if may else ""

        def directive(view, **extra):
            extra = {**extra, "ban_do": TODAY_MAP} if today_map else extra
            return _link(f"directives:{view}", {**unit, "ngay": day, **extra}) if may else ""

        row = Row(name, unit_id, own=unit_id in own_unit_ids)
        for key, _label, base in COOPERATIVE_COLUMNS:
            figure = Figure(pick(counts[key]), registry(key))
            if base:
                figure.of, figure.of_url = pick(counts[base]), registry(base)
            row.figures[key] = figure
        row.target = pick(targets)
        on_time, owed = pick(reports, index=0), pick(reports, index=1)
        row.figures["reports"] = Figure(
            on_time, directive("scorecard_reports", dung_han=1), owed, directive("scorecard_reports")
        )
        row.figures["tasks_done"] = Figure(pick(tasks, index=0), directive("scorecard_tasks", trang_thai="done"))
        row.figures["tasks_overdue"] = Figure(pick(tasks, index=1), directive("scorecard_tasks", trang_thai="overdue"))
        row.arrears = pick(arrears, arrears=True)
        loans = {"xa" if today_map else "don_vi": unit_id, "qua_han": "true", "ngay": day}
        row.figures["arrears"] = Figure(
            len(row.arrears.loan_ids), _link("fund:loan_list", loans) if may and loans_linked else ""
        )
        return row

    def one(unit_id):
        def pick(mapping, index=None, arrears=False):
            value = mapping.get(unit_id)
            if arrears:
                return value or Arrears()
            if index is not None:
                return value[index] if value else 0
            return value or 0

        return pick

    def everything(mapping, index=None, arrears=False):
        values = list(mapping.values())
        if arrears:
            return Arrears(
                sum((a.outstanding for a in values), Decimal(0)),
                sum((a.at_risk for a in values), Decimal(0)),
                tuple(sorted(i for a in values for i in a.loan_ids)),
            )
        if index is not None:
            return sum(v[index] for v in values)
        return sum(values)

    if today_map:
        keys = {k for mapping in (*counts.values(), targets, arrears, reports, tasks) for k in mapping} - {None}
        rows = [build(name, key, one(key)) for name, key in _today_rows(keys)]
        ended = None
    else:
        units, ended = districts_in_force(on)
        rows = [build(unit.name, unit.pk, one(unit.pk)) for unit in units]
    total = build("Toàn tỉnh", None, everything)
    return Scorecard(on, rows, total, units_ended=ended, today_map=today_map)


def chart(title: str, items, *, suffix: str = "", peak=None) -> dict:
    """Geometry for templates/cooperatives/includes/bar_chart.html (bars against `peak`, else the largest value)."""
    label_width, bar_area, row_height = 150, 160, 28
    items = [(str(label), value or 0) for label, value in items]
    peak = peak or max((value for _, value in items), default=0) or 1
    rows = []
    for index, (label, value) in enumerate(items):
        width = round(bar_area * float(value) / float(peak), 1)
        y = index * row_height
        shown = str(value).replace(".", ",")
        rows.append(
            {
                "label": label,
                "short": label if len(label) <= 21 else label[:20] + "…",
                "value": shown,
                "y": y,
                "text_y": y + 18,
                "bar_width": max(width, 1 if value else 0),
                "value_x": label_width + width + 6,
            }
        )
    return {
        "title": title,
        "rows": rows,
        "height": max(len(rows), 1) * row_height,
        "width": label_width + bar_area + 75,
        "label_width": label_width,
        "label_x": label_width - 8,
        "suffix": suffix,
    }


def charts(card: Scorecard) -> list[dict]:
    weak = []
    for row in card.rows:
        active = row.figures["active"].value
        weak.append((row.name, round(Decimal(100 * row.figures["weak"].value) / active, 1) if active else 0))
    arrears = [(row.name, row.arrears_percent or 0) for row in card.rows]
    return [
        chart("Tỷ lệ HTX yếu trên số HTX đang hoạt động (%)", weak, suffix=" %"),
        chart("Tỷ lệ dư nợ quá hạn trên 30 ngày (%)", arrears, suffix=" %"),
    ]


# One flat line per row, for the spreadsheet and the PDF: the same figures as the page.
FLAT_HEADERS = [
    "Địa bàn",
    "HTX đang hoạt động",
    "HTX yếu",
    "Thành lập mới trong năm",
    "Chỉ tiêu thành lập mới",
    "Đã đại hội thường niên",
    "Phải đại hội thường niên",
    "HĐQT còn nhiệm kỳ",
    "Có cán bộ quản lý được bồi dưỡng",
    "Có sổ sách kế toán năm trước",
    "HTX, liên hiệp còn tồn tại cuối năm trước",
    "HTX, liên hiệp đang hoạt động hoặc tạm ngừng",
    "Báo cáo nộp đúng hạn",
    "Báo cáo phải nộp",
    "Nhiệm vụ hoàn thành",
    "Nhiệm vụ quá hạn",
    "Khoản vay quá hạn trên 30 ngày",
    "Dư nợ (đồng)",
    "Dư nợ quá hạn trên 30 ngày (đồng)",
    "Tỷ lệ nợ quá hạn trên 30 ngày (%)",
    "Tỷ lệ bằng chữ",
]


def flat(row: Row) -> list:
    f = row.figures
    pct = row.arrears.percent
    return [
        row.name,
        f["active"].value,
        f["weak"].value,
        f["new"].value,
        row.target,
        f["congress_held"].value,
        f["congress_held"].of,
        f["board"].value,
        f["trained"].value,
        f["accounts"].value,
        f["accounts"].of,
        f["board"].of,
        f["reports"].value,
        f["reports"].of,
        f["tasks_done"].value,
        f["tasks_overdue"].value,
        f["arrears"].value,
        int(row.arrears.outstanding),
        int(row.arrears.at_risk),
        float(pct) if pct is not None else None,
        row.arrears_words,
    ]
