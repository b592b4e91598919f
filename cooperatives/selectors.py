"""The registry as it stood on a date: the one count behind the home table, the dashboard, the statistics page,
the registry report (PDF) and the figures pre-filled into a report.

A figure for a date counts the cooperatives registered by that date (certificate date on or before it, or not
known) with the status they had on that date. The status comes from the record's history (django-simple-history):
each saved version says "status S since `status_since`", and a version saved without that date takes effect on the
day it was saved (its local date), never before: a dissolution entered without its date must not rewrite the
figures of earlier years. The status on a date is that of the newest version in effect by then. A correction saved
later wins over what it corrects; a backdated status reaches back to its date. Before the first version in effect
a cooperative counts as active (it is registered active). A row written without history (bulk seeding) has only
itself to say: its status holds from `status_since`, or always when it has none. Kind, sector and unit are taken
as they are today.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from portal.unitmap import THEN_MAP_LABEL, TODAY_MAP_LABEL, UNKNOWN, area_key, area_today, today_areas

from .models import (
    BOARD_POSTS,
    Congress,
    Cooperative,
    Evaluation,
    GovernanceForm,
    Grade,
    ImportJob,
    ImprovementPlan,
    Person,
    Position,
    Post,
    Sector,
    Training,
    UnitTarget,
    YearlyFigure,
)

# Statuses of a cooperative that no longer exists (Luật HTX 2023, Điều 77-78: dissolution; bankruptcy law).
GONE = (Cooperative.Status.DISSOLVED, Cooperative.Status.BANKRUPT)
EXISTING = tuple(s for s in Cooperative.Status.values if s not in GONE)
ALL_STATUSES = tuple(Cooperative.Status.values)
HTX_AND_UNIONS = (Cooperative.Kind.COOPERATIVE, Cooperative.Kind.UNION)


def status_on(on: date):
    """An expression for the status a cooperative had on `on` (see the module's docstring)."""
    versions = Cooperative.history.model.objects.filter(id=OuterRef("pk"))
    in_effect = Coalesce("status_since", TruncDate("history_date", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)))
    recorded = (
        versions.annotate(effective=in_effect)
        .filter(effective__lte=on)
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    return Case(
        When(status_since__lte=on, then=F("status")),
        When(Q(status_since__isnull=True) & ~Exists(versions), then=F("status")),
        default=Coalesce(Subquery(recorded), Value(Cooperative.Status.ACTIVE)),
        output_field=CharField(),
    )


def registered_by(on: date) -> Q:
    return Q(certificate_date__isnull=True) | Q(certificate_date__lte=on)


# The row of the district-level table for the cooperatives registered in a commune directly under the province (the
# communes of today, since the districts ended on 30/6/2025): no district is theirs.
SINCE_DISTRICTS_LABEL = "Các xã, phường từ 01/7/2025 (không thuộc huyện)"


def _district(part: str):
    """The district-level unit's field: a commune's parent, any other unit itself."""
    return Case(
        When(unit__level="commune", unit__parent__isnull=False, then=F(f"unit__parent__{part}")),
        default=F(f"unit__{part}"),
    )


@dataclass(frozen=True)
class Group:
    district_id: int
    district_code: str
    district: str
    kind: str
    sector: str
    status: str
    n: int


@dataclass(frozen=True)
class Registry:
    """Counts of the registry on `on`, one Group per (area, kind, sector, status), gone ones included. An area is a
    district-level unit of the day, or a commune of today's map when `today_map` (registry_as_of); the Group's
    district_* fields hold it either way."""

    on: date
    groups: tuple[Group, ...]
    today_map: bool = False

    @property
    def map_label(self) -> str:
        return TODAY_MAP_LABEL if self.today_map else THEN_MAP_LABEL

    def count(
        self, *, kinds: Iterable[str] | None = None, statuses: Iterable[str] = EXISTING, district_id=None, code=None
    ) -> int:
        """Cooperatives counted in the groups, of the area `district_id` when given (and of its row `code`: the
        cooperatives of today's communes share the province's id with those recorded at the province itself)."""
        kinds = None if kinds is None else set(kinds)
        statuses = set(statuses)
        return sum(
            g.n
            for g in self.groups
            if g.status in statuses
            and (kinds is None or g.kind in kinds)
            and (district_id is None or g.district_id == district_id)
            and (code is None or g.district_code == code)
        )

    @property
    def total(self) -> int:
        """Cooperatives, unions and groups existing on the date (registered, neither dissolved nor bankrupt)."""
        return self.count()

    def districts(self) -> list[tuple[int, str, str]]:
        """(id, code, name) of the districts with a cooperative on record by the date, in code order."""
        return sorted({(g.district_id, g.district_code, g.district) for g in self.groups}, key=lambda d: (d[1], d[2]))

    def _by(self, key, statuses=EXISTING) -> dict:
        out = defaultdict(int)
        for g in self.groups:
            if g.status in statuses:
                out[key(g)] += g.n
        return out

    def by_district(self) -> list[tuple[str, int]]:
        counts = self._by(lambda g: (g.district_code, g.district))
        return [(name, n) for (_code, name), n in sorted(counts.items())]

    def by_sector(self) -> list[tuple[str, int]]:
        counts = self._by(lambda g: g.sector)
        return sorted(((Sector(s).label, n) for s, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))

    def by_status(self) -> list[tuple[str, int]]:
        counts = self._by(lambda g: g.status)
        return sorted(((Cooperative.Status(s).label, n) for s, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))

    def by_kind(self) -> list[tuple[str, int]]:
        counts = self._by(lambda g: g.kind)
        return sorted(((Cooperative.Kind(k).label, n) for k, n in counts.items()), key=lambda kv: (-kv[1], kv[0]))

    def sector_counts(self) -> dict[str, int]:
        return dict(self._by(lambda g: g.sector))

    def summary(self) -> dict:
        """The shape the statistics page and the dashboard draw: a total and four breakdowns."""
        return {
            "on": self.on,
            "total": self.total,
            "by_unit": self.by_district(),
            "by_sector": self.by_sector(),
            "by_status": self.by_status(),
            "by_kind": self.by_kind(),
        }


def registry_as_of(on: date, *, units: Iterable[int] | None = None, today_map: bool = False) -> Registry:
    """The registry as it stood on `on` (one query), for the given unit ids (every unit when None).

    Its areas are the district-level units in force on `on` (a cooperative in a commune counts in its district), or,
    with `today_map`, today's communes (portal.unitmap: a commune merged away counts in the commune it lies in now;
    one nobody has placed counts on a row of its own). Either way each cooperative counts once, so the totals of both
    maps are the same."""
    qs = Cooperative.objects.filter(registered_by(on))
    if units is not None:
        qs = qs.filter(unit_id__in=list(units))
    if today_map:
        rows = (
            qs.annotate(as_status=status_on(on))
            .values("unit_id", "kind", "sector", "as_status")
            .annotate(n=Count("pk", output_field=IntegerField()))
            .order_by()
        )
        merged = defaultdict(int)
        for r in rows:
            area = area_today(r["unit_id"])
            merged[(area.id, area.code, area.name, r["kind"], r["sector"], r["as_status"])] += r["n"]
        return Registry(on, tuple(Group(*key, n) for key, n in merged.items()), today_map=True)
    rows = (
        qs.annotate(
            as_status=status_on(on),
            district_id=_district("id"),
            district_code=Case(  # that row last
                When(unit__level="commune", unit__parent__level="province", then=Value("~")),
                default=_district("code"),
            ),
            district_name=Case(
                When(unit__level="commune", unit__parent__level="province", then=Value(SINCE_DISTRICTS_LABEL)),
                default=_district("name"),
            ),
        )
        .values("district_id", "district_code", "district_name", "kind", "sector", "as_status")
        .annotate(n=Count("pk", output_field=IntegerField()))
        .order_by()
    )
    groups = tuple(
        Group(r["district_id"], r["district_code"], r["district_name"], r["kind"], r["sector"], r["as_status"], r["n"])
        for r in rows
    )
    return Registry(on, groups)


@dataclass(frozen=True)
class Changes:
    """What happened to the registry in a period: units founded in it, and units that existed on its eve (or were
    founded in it) and were gone (dissolved or bankrupt) at its end. Neither can be negative, whatever the order
    of the statuses (dissolved then bankrupt, or a wrong dissolution corrected back to active)."""

    founded: int
    gone: int


def registry_changes(start: date, end: date, *, kinds: Iterable[str] | None = None, units=None) -> Changes:
    """The registry's changes from `start` to `end` (one query), for the given kinds and unit ids (all when None)."""
    qs = Cooperative.objects.filter(registered_by(end))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if units is not None:
        qs = qs.filter(unit_id__in=list(units))
    counts = qs.annotate(at_eve=status_on(start - timedelta(days=1)), at_end=status_on(end)).aggregate(
        founded=Count("pk", filter=Q(certificate_date__gte=start, certificate_date__lte=end)),
        gone=Count("pk", filter=~Q(at_eve__in=GONE) & Q(at_end__in=GONE)),
    )
    return Changes(counts["founded"], counts["gone"])


def year_end(year: int) -> date:
    return date(year, 12, 31)


def registered_between(start: date, end: date, *, kinds=None, units=None, today_map=False) -> dict[int, int]:
    """Registrations from `start` to `end` per district id (with `today_map`, per commune of today's map): the
    registry on `end` less the one the day before `start`, whatever the status (a cooperative founded and dissolved
    within the period was still founded)."""
    after = registry_as_of(end, units=units, today_map=today_map)
    before = registry_as_of(start - timedelta(days=1), units=units, today_map=today_map)
    out = defaultdict(int)
    for registry, sign in ((after, 1), (before, -1)):
        for g in registry.groups:
            if kinds is None or g.kind in kinds:
                out[g.district_id] += sign * g.n
    return dict(out)


# --- what a unit's cooperatives did in a period (read by the report indicators of directives) -------------------


def yearly_figure_totals(*, unit_ids: Iterable[int], year: int) -> dict:
    """The sums of a year's figures of the cooperatives in these units, and how many rows they come from."""
    return YearlyFigure.objects.filter(cooperative__unit_id__in=unit_ids, year=year).aggregate(
        official=Sum("members_official"),
        associate=Sum("members_associate"),
        workers=Sum("workers"),
        revenue=Sum("revenue"),
        profit=Sum("profit"),
        rows=Count("pk"),
    )


def congresses_held(*, unit_ids: Iterable[int], start: date, end: date) -> int:
    return Congress.objects.filter(cooperative__unit_id__in=unit_ids, held_date__range=(start, end)).count()


def people_trained(*, unit_ids: Iterable[int], start: date, end: date) -> int:
    """People of these units' cooperatives who attended a course between the two dates (each counted once)."""
    return (
        Person.objects.filter(cooperative__unit_id__in=unit_ids, trainings__held_on__range=(start, end))
        .distinct()
        .count()
    )


# --- boards in term (Công văn 1047/UBND-KT, items 2-3: term congresses on time, competent boards) -----------------

# Who makes up "the board" in each governance form (Luật HTX 2023, Điều 56): the Hội đồng quản trị in the full
# form; in the reduced form (no board) the director (Giám đốc) answers for it.
BOARD_POSTS_BY_FORM = {
    GovernanceForm.FULL: tuple(sorted(BOARD_POSTS)),
    GovernanceForm.REDUCED: (Post.DIRECTOR,),
}
# The directory's filter value (and the dashboard's link) for the cooperatives whose board's term has run out.
BOARD_EXPIRED = "het-nhiem-ky"
# The directory's filter value for the cooperatives that kept accounting books last year.
ACCOUNTS_KEPT = "co-ke-toan"


def _board_positions(as_of: date, form: str, outer: str = "pk"):
    """Board posts (for the governance `form`) of the cooperative `outer`, taken up on or before `as_of`."""
    return Position.objects.filter(
        Q(term_start__isnull=True) | Q(term_start__lte=as_of),
        person__cooperative_id=OuterRef(outer),
        post__in=BOARD_POSTS_BY_FORM[form],
    )


def _by_form(expression_for) -> Case:
    return Case(
        When(governance_form=GovernanceForm.REDUCED, then=expression_for(GovernanceForm.REDUCED)),
        default=expression_for(GovernanceForm.FULL),
        output_field=BooleanField(),
    )


def has_board_q(as_of: date) -> Case:
    """True when a board (or, in the reduced form, a director) taken up by `as_of` is on record."""
    return _by_form(lambda form: Exists(_board_positions(as_of, form)))


def board_in_term_q(as_of: date) -> Case:
    """Whether the cooperative's board is in term on `as_of` (an expression: annotate or filter with it).

    The board is the Hội đồng quản trị (chairman and members) in the full governance form, the Giám đốc in the
    reduced one (Luật HTX 2023, Điều 56). Its term is what its people's positions say (Position.term_start,
    term_end), as elected by a term congress for 2 to 5 years (Luật HTX 2012, Điều 30; Luật HTX 2023: at most 5).
    The board is in term on `as_of` when
      - one of its positions taken up by then has not ended by then (no end, or the end on or after `as_of`); or
      - all of them have ended, but an Đại hội nhiệm kỳ (Congress of the term kind) was held after the latest end
        and on or before `as_of`: the new board is elected, its people merely not entered yet.
    Without any board position taken up by `as_of` there is no board on record: not in term (see has_board_q).
    """

    def in_term(form):
        positions = _board_positions(as_of, form)
        current = positions.filter(Q(term_end__isnull=True) | Q(term_end__gte=as_of))
        last_end = (
            _board_positions(as_of, form, outer=OuterRef("pk"))
            .filter(term_end__isnull=False)
            .order_by("-term_end")
            .values("term_end")[:1]
        )
        renewed = Congress.objects.filter(
            cooperative_id=OuterRef("pk"),
            kind=Congress.Kind.TERM,
            held_date__lte=as_of,
            held_date__gt=Subquery(last_end),
        )
        return Exists(current) | Exists(renewed)

    return _by_form(in_term)


def with_board_status(qs, as_of: date):
    """`qs` annotated with `has_board` and `board_in_term` on `as_of` (two subqueries per row, no extra query)."""
    return qs.annotate(has_board=has_board_q(as_of), board_in_term=board_in_term_q(as_of))


def board_expired_q(as_of: date) -> Q:
    """Operating cooperatives and unions whose board on record has run out of term on `as_of` with no term
    congress since: what the profile flags, the dashboard counts and `?board=het-nhiem-ky` lists.
    Cooperative groups (THT) have no board; dissolved, bankrupt and inactive ones owe no congress to follow up."""
    return (
        Q(kind__in=HTX_AND_UNIONS, status__in=(Cooperative.Status.ACTIVE, Cooperative.Status.SUSPENDED))
        & Q(has_board_q(as_of))
        & ~Q(board_in_term_q(as_of))
    )


def boards_expired(qs, as_of: date):
    """The rows of `qs` whose board has run out of term on `as_of` (see board_expired_q)."""
    return qs.filter(board_expired_q(as_of))


# --- accounts kept (Công văn 1047/UBND-KT, item 3: proper accounting books) -----------------------------------


def accounts_kept_q(year: int) -> Exists:
    """True when the cooperative's figures for `year` say it kept accounting books (YearlyFigure.keeps_accounts,
    "có sổ sách kế toán"); no figure for the year counts as not kept."""
    return Exists(YearlyFigure.objects.filter(cooperative_id=OuterRef("pk"), year=year, keeps_accounts=True))


def with_accounts_kept(qs, year: int):
    return qs.annotate(accounts_kept=accounts_kept_q(year))


def accounts_kept_count(*, unit_ids: Iterable[int] | None = None, year: int, qs=None) -> int:
    """HTX and unions registered by the end of `year` and existing then (not dissolved, not bankrupt, by
    status_on) that kept accounts that year: the one figure the dashboard, statistics page, registry report and
    the pre-filled report indicator show. `qs` narrows the rows (an officer's scope)."""
    return accounts_kept_list(unit_ids=unit_ids, year=year, qs=qs).count()


def accounts_kept_list(*, unit_ids: Iterable[int] | None = None, year: int, qs=None):
    on = year_end(year)
    rows = (qs if qs is not None else Cooperative.objects.all()).filter(registered_by(on), kind__in=HTX_AND_UNIONS)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    return rows.alias(as_status=status_on(on)).exclude(as_status__in=GONE).filter(accounts_kept_q(year))


# --- the district scorecard (read by directives): one condition, one list, one count -------------------------------
#
# Each condition is a filter on the registry as it stood on a date. The scorecard counts a condition per district
# and the staff registry list filters by the same condition, so the figure and the list behind it cannot drift.

OPERATING = (Cooperative.Status.ACTIVE, Cooperative.Status.SUSPENDED)
MANAGING_POSTS = ("board_chair", "board_member", "director")

SCORECARD_CONDITIONS = {
    "active": "đang hoạt động",
    "weak": "xếp loại yếu ở lần đánh giá gần nhất",
    "new": "thành lập mới trong năm",
    "congress_due": "phải đại hội thường niên",
    "congress_held": "đã đại hội thường niên",
    "operating": "đang hoạt động hoặc tạm ngừng (HTX, liên hiệp)",
    "board": "hội đồng quản trị còn nhiệm kỳ",
    "trained": "có cán bộ quản lý được bồi dưỡng trong năm",
    "accounts": "có sổ sách kế toán năm trước",
    "accounts_base": "HTX, liên hiệp còn tồn tại cuối năm trước",
}


def scorecard_filter(qs, condition: str, *, on: date):
    """The cooperatives of `qs` that meet a scorecard condition on `on` (a KeyError for an unknown one)."""
    if condition not in SCORECARD_CONDITIONS:
        raise KeyError(condition)
    if condition in ("accounts", "accounts_base"):
        # The dashboard's own figure (accounts_kept_list): last year's books, of the registry at that year's end.
        if condition == "accounts":
            return accounts_kept_list(year=on.year - 1, qs=qs)
        end = year_end(on.year - 1)
        existing = qs.filter(registered_by(end), kind__in=HTX_AND_UNIONS).alias(as_status=status_on(end))
        return existing.exclude(as_status__in=GONE)
    qs = qs.filter(registered_by(on)).annotate(as_status=status_on(on))
    year = on.year
    operating = Q(as_status__in=OPERATING, kind__in=HTX_AND_UNIONS)
    if condition == "active":
        return qs.filter(as_status=Cooperative.Status.ACTIVE)
    if condition == "weak":
        latest = Evaluation.objects.filter(cooperative=OuterRef("pk"), year__lte=year).order_by("-year")
        return qs.annotate(latest_grade=Subquery(latest.values("grade")[:1])).filter(
            as_status__in=EXISTING, latest_grade=Grade.WEAK
        )
    if condition == "new":
        return qs.filter(kind__in=HTX_AND_UNIONS, certificate_date__gte=date(year, 1, 1), certificate_date__lte=on)
    if condition in ("congress_due", "operating"):
        return qs.filter(operating)
    if condition == "congress_held":
        held = Congress.objects.filter(
            cooperative=OuterRef("pk"), kind=Congress.Kind.ANNUAL, fiscal_year=year - 1, held_date__lte=on
        )
        return qs.filter(operating).filter(Exists(held))
    if condition == "board":
        return with_board_status(qs.filter(operating), on).filter(board_in_term=True)
    trained = Training.objects.filter(  # "trained"
        person__cooperative=OuterRef("pk"),
        person__positions__post__in=MANAGING_POSTS,
        held_on__gte=date(year, 1, 1),
        held_on__lte=on,
    )
    return qs.filter(operating).filter(Exists(trained))


def scorecard_counts(*, on: date, today_map: bool = False) -> dict[str, dict]:
    """For each scorecard condition, the number of cooperatives meeting it per district id (one query each); with
    `today_map`, per commune of today's map (portal.unitmap: the unit's Area id, UNKNOWN's code "~" for a unit whose
    place today nobody has said), the same cooperatives re-aggregated."""
    out = {}
    areas = today_areas() if today_map else None
    for condition in SCORECARD_CONDITIONS:
        qs = scorecard_filter(Cooperative.objects.all(), condition, on=on)
        if areas is None:
            rows = qs.annotate(district_id=_district("id")).values("district_id").annotate(n=Count("pk", distinct=True))
            out[condition] = {r["district_id"]: r["n"] for r in rows.order_by()}
            continue
        counts: dict = {}
        for r in qs.values("unit_id").annotate(n=Count("pk", distinct=True)).order_by():
            key = area_key(areas.get(r["unit_id"], UNKNOWN))
            counts[key] = counts.get(key, 0) + r["n"]
        out[condition] = counts
    return out


def new_cooperative_targets(*, year: int) -> dict[int, int]:
    return dict(UnitTarget.objects.filter(year=year).values_list("unit_id", "new_cooperatives"))


# What waits for the alliance's staff (directives' staff digest and start page) ----------------------------------

# The registry list's "Cần xử lý" filter, behind each figure of the alliance staff's start page.
CONGRESS_OVERDUE = "dai-hoi-qua-han"
WEAK_WITHOUT_PLAN = "yeu-chua-co-ke-hoach"
NEEDS_ACTION = {
    CONGRESS_OVERDUE: "Quá hạn đại hội thường niên",
    WEAK_WITHOUT_PLAN: "Xếp loại yếu, chưa có kế hoạch củng cố",
}


def needs_action(qs, condition: str, *, on: date):
    """The cooperatives of `qs` that wait for the alliance on `on` (a KeyError for an unknown condition):
    an annual congress overdue, or graded weak at their latest evaluation with no plan to strengthen them."""
    if condition == CONGRESS_OVERDUE:
        return qs.annual_congress_overdue(on)
    if condition == WEAK_WITHOUT_PLAN:
        latest = Evaluation.objects.filter(cooperative=OuterRef("pk"), year__lte=on.year).order_by("-year", "-pk")
        planned = ImprovementPlan.objects.filter(evaluation_id=OuterRef("latest_evaluation"))
        weak = scorecard_filter(qs, "weak", on=on).annotate(latest_evaluation=Subquery(latest.values("pk")[:1]))
        return weak.exclude(Exists(planned))
    raise KeyError(condition)


def needs_action_counts(*, on: date) -> dict[str, int]:
    """{condition: how many cooperatives of the province meet it on `on`}, one figure per entry of NEEDS_ACTION."""
    return {condition: needs_action(Cooperative.objects.all(), condition, on=on).count() for condition in NEEDS_ACTION}


def imports_failed_count() -> int:
    """Imports that stopped with an error and are still on record (the import log's "Lỗi" filter)."""
    return ImportJob.objects.filter(status=ImportJob.Status.FAILED).count()


def congresses_overdue(on: date) -> list[dict]:
    """Operating cooperatives whose annual or term congress is overdue on `on`, oldest deadline first:
    {"title", "due", "link"} with `link` a path on the site."""
    from django.urls import reverse

    rows = []
    cooperatives = (
        Cooperative.objects.operating().exclude(kind=Cooperative.Kind.GROUP).with_annual_years().order_by("name")
    )
    for cooperative in cooperatives:
        for kind, due in (
            (Congress.Kind.ANNUAL, cooperative.next_annual_congress_due(on)),
            (Congress.Kind.TERM, cooperative.next_term_congress_due(on)),
        ):
            if due is not None and due < on:
                rows.append(
                    {
                        "title": f"{cooperative.name}: {Congress.Kind(kind).label.lower()}",
                        "due": due,
                        "link": reverse("cooperatives:internal_profile", args=[cooperative.slug]),
                    }
                )
    rows.sort(key=lambda row: (row["due"], row["title"]))
    return rows


def imports_failed(since: date) -> list[dict]:
    """Imports that stopped with an error since `since` (local date), newest first: {"title", "at", "link"}."""
    from django.urls import reverse

    from .models import ImportJob

    start = _day_start(since)
    jobs = ImportJob.objects.filter(status=ImportJob.Status.FAILED, created_at__gte=start).order_by("-created_at")
    return [
        {
            "title": job.original_name,
            "at": job.finished_at or job.created_at,
            "link": reverse("cooperatives:import_job", args=[job.pk]),
        }
        for job in jobs
    ]


def _day_start(on: date):
    """Midnight at the start of `on` in the portal's time zone."""
    from datetime import datetime

    return datetime(on.year, on.month, on.day, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


# --- the registry year by year (the statistics page's trend) -----------------------------------------------------

TREND_YEARS = 30  # the rows shown: a registry's first certificates can go back decades


@dataclass(frozen=True)
class YearFigures:
    """One year of the registry: units founded (certificate date in the year), units gone (dissolved or bankrupt
    by the year's end, having existed at its eve or been founded in it), units whose dissolution was corrected back
    (gone at the eve, existing at the end), and units existing at the year's end (31/12, or `on` for the current
    year), as `registry_as_of` counts them. So active = previous active + founded - dissolved + restored."""

    year: int
    founded: int
    dissolved: int
    restored: int
    active: int


@dataclass(frozen=True)
class Trend:
    """`rows` oldest first; `before`: units existing at the end of the year before the first row."""

    on: date
    before: int
    rows: tuple[YearFigures, ...]


class _Timeline:
    """One cooperative's status on any date, by the same rule as `status_on` (the module's docstring)."""

    __slots__ = ("status", "since", "versions")

    def __init__(self, status, since, versions):
        self.status = status
        self.since = since
        self.versions = versions  # (effective date, status), in the order they were saved

    def on(self, day: date) -> str:
        if self.since is not None and self.since <= day:
            return self.status
        if self.since is None and not self.versions:
            return self.status
        for effective, status in reversed(self.versions):
            if effective <= day:
                return status
        return Cooperative.Status.ACTIVE


def registry_trend(on: date, *, years: int = TREND_YEARS) -> Trend:
    """Founded, gone and existing units per year up to `on`'s year (two queries, whatever the number of years).

    Most units have only ever been active: they are counted from their certificate dates alone, and only the others
    have their status looked up at each year's eve and end."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    versions = defaultdict(list)
    history = Cooperative.history.model.objects.order_by("id", "history_date", "history_id")
    for pk, status, since, saved in history.values_list("id", "status", "status_since", "history_date"):
        versions[pk].append((since or saved.astimezone(zone).date(), status))
    steady = []  # certificate dates of units active throughout (None: date not known, registered all along)
    changing = []  # (certificate date, timeline) of the others
    for pk, certificate, status, since in Cooperative.objects.values_list(
        "pk", "certificate_date", "status", "status_since"
    ):
        timeline = _Timeline(status, since, versions.get(pk, ()))
        if status == Cooperative.Status.ACTIVE and all(s == status for _, s in timeline.versions):
            steady.append(certificate)
        else:
            changing.append((certificate, timeline))
    known = [c.year for c in steady if c is not None] + [c.year for c, _ in changing if c is not None]
    first = max(min(min(known, default=on.year), on.year), on.year - years + 1)

    def registered(certificate, day) -> bool:
        return certificate is None or certificate <= day

    def existing_on(day) -> int:
        """Units on the books and neither dissolved nor bankrupt on `day` (the rule of `registry_as_of`)."""
        return sum(1 for c in steady if registered(c, day)) + sum(
            1 for c, timeline in changing if registered(c, day) and timeline.on(day) not in GONE
        )

    founded_in = defaultdict(int)
    for certificate in steady:
        if certificate is not None and certificate <= on:
            founded_in[certificate.year] += 1
    before = existing_on(date(first - 1, 12, 31))
    steady_active = sum(1 for c in steady if registered(c, date(first - 1, 12, 31)))
    rows = []
    for year in range(first, on.year + 1):
        eve, end = date(year - 1, 12, 31), min(date(year, 12, 31), on)
        founded, dissolved, restored = founded_in[year], 0, 0
        steady_active += founded_in[year]
        active = steady_active
        for certificate, timeline in changing:
            if not registered(certificate, end):
                continue
            new = certificate is not None and certificate.year == year
            at_end = timeline.on(end) not in GONE
            at_eve = new or timeline.on(eve) not in GONE
            founded += new
            active += at_end
            dissolved += at_eve and not at_end
            restored += not at_eve and at_end
        rows.append(YearFigures(year, founded, dissolved, restored, active))
    return Trend(on, before, tuple(rows))
