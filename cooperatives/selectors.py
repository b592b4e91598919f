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
from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from .models import Congress, Cooperative, Person, Sector, YearlyFigure

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
    """Counts of the registry on `on`, one Group per (district, kind, sector, status), gone ones included."""

    on: date
    groups: tuple[Group, ...]

    def count(self, *, kinds: Iterable[str] | None = None, statuses: Iterable[str] = EXISTING, district_id=None) -> int:
        kinds = None if kinds is None else set(kinds)
        statuses = set(statuses)
        return sum(
            g.n
            for g in self.groups
            if g.status in statuses
            and (kinds is None or g.kind in kinds)
            and (district_id is None or g.district_id == district_id)
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


def registry_as_of(on: date, *, units: Iterable[int] | None = None) -> Registry:
    """The registry as it stood on `on` (one query), for the given unit ids (every unit when None)."""
    qs = Cooperative.objects.filter(registered_by(on))
    if units is not None:
        qs = qs.filter(unit_id__in=list(units))
    rows = (
        qs.annotate(
            as_status=status_on(on),
            district_id=_district("id"),
            district_code=_district("code"),
            district_name=_district("name"),
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


def registered_between(start: date, end: date, *, kinds=None, units=None) -> dict[int, int]:
    """Registrations from `start` to `end` per district id: the registry on `end` less the one the day before
    `start`, whatever the status (a cooperative founded and dissolved within the period was still founded)."""
    after = registry_as_of(end, units=units)
    before = registry_as_of(start - timedelta(days=1), units=units)
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


# What waits for the alliance's staff (directives' staff digest) ---------------------------------------------------


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
