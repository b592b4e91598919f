"""Rules of the registry that span models or have side effects (keyword-only service functions)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse

from portal import roles
from portal.access import agency_unit_ids
from portal.agencychanges import Moved
from portal.models import AdministrativeUnit, Agency, User
from portal.notify import mail_on_commit, notify
from portal.unitmap import area_today, today_areas

from .models import (
    AGRICULTURE_SECTORS,
    Congress,
    CongressReminder,
    Cooperative,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    Grade,
    Notice,
    Person,
    Position,
    Post,
    Sector,
    SectorDepartment,
    Training,
    UnitTarget,
    YearlyFigure,
)
from .selectors import EXISTING, HTX_AND_UNIONS, accounts_kept_count, registered_between, registry_as_of, year_end

REMINDER_DAYS_BEFORE = 30  # Công văn 1047/UBND-KT, item 2: remind agencies so congresses are held on time.


def position_assign(*, person: Person, post: str, term_start: date | None, term_end: date | None = None) -> Position:
    """Give `person` a post, refusing the cross-role conflicts of Luật HTX 2023, Điều 56 (see models.CONFLICTS)."""
    position = Position(person=person, post=post, term_start=term_start, term_end=term_end)
    position.full_clean()
    position.save()
    return position


def evaluation_record(*, cooperative: Cooperative, year: int, points: dict, months_suspended: int = 0) -> Evaluation:
    """Record a yearly evaluation from {criterion code: points} (Thông tư 01/2020/TT-BKHĐT) and grade it."""
    criteria = {c.code: c for c in EvaluationCriterion.objects.filter(is_active=True)}
    with transaction.atomic():
        evaluation, _ = Evaluation.objects.get_or_create(cooperative=cooperative, year=year)
        evaluation.months_suspended = months_suspended
        scores = []
        for code, value in points.items():
            score = EvaluationScore(evaluation=evaluation, criterion=criteria[code], points=Decimal(str(value)))
            score.full_clean(exclude=["evaluation"], validate_unique=False, validate_constraints=False)
            scores.append(score)
        evaluation.scores.all().delete()
        EvaluationScore.objects.bulk_create(scores)
        return evaluation_grade(evaluation=evaluation)


@transaction.atomic
def evaluation_grade(*, evaluation: Evaluation) -> Evaluation:
    """Total an evaluation's stored criterion scores and grade it (Thông tư 01/2020/TT-BKHĐT, Điều 4 and 5), then
    save it. Whoever writes an evaluation or its scores calls this last (`evaluation_record`, the admin's evaluation
    page), so the stored total and grade are always those of the stored scores."""
    evaluation.recompute(list(evaluation.scores.all()))
    evaluation.full_clean(validate_unique=False)
    evaluation.save()
    return evaluation


# Congress reminders -----------------------------------------------------------------------------------------------


def district_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The district-level unit a unit belongs to (itself when it is one); the province stays the province."""
    if unit.level == AdministrativeUnit.Level.COMMUNE and unit.parent_id:
        return unit.parent
    return unit


def reminder_stage(due: date | None, on: date) -> str | None:
    if due is None:
        return None
    if due < on:
        return CongressReminder.Stage.OVERDUE
    if due - on <= timedelta(days=REMINDER_DAYS_BEFORE):
        return CongressReminder.Stage.UPCOMING
    return None


def _area_officers() -> tuple[list[tuple[frozenset[int], list[User]]], list[User]]:
    """The officers of each area committee in force (a district's of 2022, a commune's of today) with the units
    their area covers (portal.access: a commune's covers the old communes merged into it), and the alliance staff."""
    by_agency = defaultdict(list)
    committees = [Agency.Kind.DISTRICT_PC, Agency.Kind.COMMUNE_PC]
    for user in User.objects.filter(is_active=True, agency__kind__in=committees, agency__is_active=True):
        by_agency[user.agency_id].append(user)
    areas = [(agency_unit_ids(agency_id), users) for agency_id, users in by_agency.items()]
    alliance = list(User.objects.filter(is_active=True, groups__name=roles.ALLIANCE_STAFF).distinct())
    return areas, alliance


def congress_reminders_send(*, on: date, send_email: bool = True) -> int:
    """E-mail and notify the responsible officers 30 days before a congress is due and once it is overdue.

    Responsible: the officers of the area committees whose area covers the cooperative's unit (the district's in
    2022, today's commune's) plus the alliance staff.
    At most once per (cooperative, congress kind, due date, stage): CongressReminder's unique constraint.
    Returns the number of reminders created.
    """
    areas, alliance = _area_officers()
    created = 0
    cooperatives = (
        Cooperative.objects.operating()
        .exclude(kind=Cooperative.Kind.GROUP)
        .select_related("unit__parent")
        .with_annual_years()
    )
    for cooperative in cooperatives:
        dues = [
            (Congress.Kind.ANNUAL, cooperative.next_annual_congress_due(on)),
            (Congress.Kind.TERM, cooperative.next_term_congress_due(on)),
        ]
        for kind, due in dues:
            stage = reminder_stage(due, on)
            if stage is None:
                continue
            officers = [u for unit_ids, users in areas if cooperative.unit_id in unit_ids for u in users]
            people = {u.pk: u for u in officers + alliance}.values()
            if _remind(cooperative, kind, due, stage, list(people), send_email):
                created += 1
    return created


def _remind(cooperative, kind, due, stage, people, send_email=True) -> bool:
    try:
        with transaction.atomic():
            reminder = CongressReminder.objects.create(
                cooperative=cooperative, congress_kind=kind, due_date=due, stage=stage, recipients=len(people)
            )
            Notice.objects.bulk_create([Notice(recipient=user, reminder=reminder) for user in people])
    except IntegrityError:
        return False  # already reminded at this stage: the task ran before
    subject = f"[Cổng HTX] Nhắc đại hội: {cooperative.name}"
    link = reverse("cooperatives:internal_profile", args=[cooperative.slug])  # the officers' view of the record
    advice = (
        "Đề nghị cơ quan theo dõi, đôn đốc hợp tác xã tổ chức đại hội đúng quy định "
        "(Công văn 1047/UBND-KT ngày 06/4/2022 của UBND tỉnh Bạc Liêu)."
    )
    notify(people, title=reminder.text, body=advice, link=link)
    if send_email:
        for user in people:  # one message each, as before: officers of one district do not see each other's address
            mail_on_commit(
                subject=subject,
                template="emails/cooperatives/congress_reminder",
                context={"reminder": reminder, "advice": advice, "link": link, "user": user},
                recipients=[user.email],
                fail_silently=True,
            )
    return True


# Statistics --------------------------------------------------------------------------------------------------------


def grade_counts(queryset, year: int) -> list[tuple[str, int]]:
    rows = dict(
        Evaluation.objects.filter(cooperative__in=queryset, year=year).values_list("grade").annotate(n=Count("id"))
    )
    return [(label, rows.get(value, 0)) for value, label in Grade.choices]


def congress_compliance(queryset, *, on: date) -> dict:
    """This year's annual congresses (for last fiscal year): held, pending, overdue; 18-month cases."""
    held = pending = overdue = long_gap = 0
    year = on.year - 1
    for cooperative in queryset.operating().filter(kind__in=["htx", "union"]).congress_rules_only():
        if any(c.kind == Congress.Kind.ANNUAL and c.fiscal_year == year for c in cooperative.held_congresses):
            held += 1
        elif cooperative.is_annual_congress_overdue(on):
            overdue += 1
        else:
            pending += 1
        if cooperative.months_without_annual_congress_exceeded(on):
            long_gap += 1
    total = held + pending + overdue
    return {
        "fiscal_year": year,
        "held": held,
        "pending": pending,
        "overdue": overdue,
        "long_gap": long_gap,
        "total": total,
        "percent": round(100 * held / total) if total else 0,
    }


def targets_by_unit(*, year: int, scope) -> list[dict]:
    """New cooperatives and unions founded in `year` against the targets of the units they were set for.

    Until 2025 targets were set per district; since the districts ended (01/7/2025), per commune of today. The rows
    are the districts the scope covers (when the year has district targets, or no targets at all), each counted over
    the whole district as it stood, then the communes of today the scope covers that have a target for the year, each
    counted over its area today (the communes merged into it too). A district officer sees their own row, a commune
    officer their commune's, province staff all of them. A row with another unit's target and only one's own count
    would read as the other unit having founded nothing.
    """
    units = None if scope.everything else scope.unit_ids
    start, end = date(year, 1, 1), year_end(year)
    targets = {t.unit_id: t.new_cooperatives for t in UnitTarget.objects.filter(year=year)}
    levels = dict(AdministrativeUnit.objects.filter(pk__in=targets).values_list("pk", "level"))
    Level = AdministrativeUnit.Level
    rows = []
    if not targets or Level.DISTRICT in levels.values():
        districts = AdministrativeUnit.objects.filter(level=Level.DISTRICT).order_by("code")
        if not scope.everything:
            districts = districts.filter(pk__in=scope.unit_ids)
        founded = registered_between(start, end, kinds=HTX_AND_UNIONS, units=units)
        rows += [(unit, founded.get(unit.pk, 0)) for unit in districts]
    # A commune's target counts for the commune it lies in today (one set on a commune merged since moves with it).
    areas = today_areas()
    for pk, level in levels.items():
        area = areas.get(pk)
        if level == Level.COMMUNE and area is not None and area.is_commune and area.id != pk:
            targets[area.id] = targets.get(area.id, 0) + targets.pop(pk)
    communes = AdministrativeUnit.objects.filter(
        pk__in=[pk for pk in targets if pk in areas and areas[pk].is_commune and areas[pk].id == pk]
    ).order_by("code")
    if not scope.everything:
        communes = communes.filter(pk__in=scope.unit_ids)
    if communes:
        founded = registered_between(start, end, kinds=HTX_AND_UNIONS, units=units, today_map=True)
        rows += [(unit, founded.get(unit.pk, 0)) for unit in communes]
    return [
        {
            "unit": unit.name,
            "target": targets.get(unit.pk, 0),
            "done": done,
            "percent": min(100, round(100 * done / targets[unit.pk])) if targets.get(unit.pk) else 0,
        }
        for unit, done in rows
    ]


def boards_trained(queryset, *, year: int, registry) -> dict:
    """Cooperatives with at least one board member or director trained this year (Công văn 1047, item 3), out of
    the operating cooperatives and unions of `registry` (the registry as it stands, from registry_as_of)."""
    managing = list(BOARD_AND_DIRECTOR)
    trained = (
        Training.objects.filter(
            held_on__year=year, person__cooperative__in=queryset, person__positions__post__in=managing
        )
        .values("person__cooperative_id")
        .distinct()
        .count()
    )
    people = (
        Training.objects.filter(held_on__year=year, person__cooperative__in=queryset)
        .values("person_id")
        .distinct()
        .count()
    )
    operating = [Cooperative.Status.ACTIVE, Cooperative.Status.SUSPENDED]
    total = registry.count(kinds=HTX_AND_UNIONS, statuses=operating)
    return {
        "cooperatives": trained,
        "people": people,
        "total": total,
        "percent": round(100 * trained / total) if total else 0,
    }


BOARD_AND_DIRECTOR = {Post.BOARD_CHAIR, Post.BOARD_MEMBER, Post.DIRECTOR}


def registry_report(queryset, *, year: int, units=None, today_map: bool = False) -> dict:
    """The registry report by district and sector with totals: the registry as it stood on 31/12 of `year`
    (cooperatives.selectors.registry_as_of, for the given unit ids) beside the figures the cooperatives of
    `queryset` filed for `year`."""
    registry = registry_as_of(year_end(year), units=units, today_map=today_map)
    figures = YearlyFigure.objects.filter(cooperative__in=queryset, year=year)
    agg = dict(
        members=Sum("members_official"),
        associates=Sum("members_associate"),
        workers=Sum("workers"),
        revenue=Sum("revenue"),
        profit=Sum("profit"),
    )
    by_district = defaultdict(lambda: defaultdict(int))
    for group in registry.groups:
        if group.status in EXISTING:
            bucket = by_district[(group.district_code, group.district)]
            bucket[group.kind] += group.n
            if group.status == Cooperative.Status.ACTIVE:
                bucket["active"] += group.n
    fig_rows = figures.values(
        "cooperative__unit_id",
        "cooperative__unit__name",
        "cooperative__unit__code",
        "cooperative__unit__level",
        "cooperative__unit__parent__name",
        "cooperative__unit__parent__code",
    ).annotate(**agg)
    for row in fig_rows:
        if today_map:
            area = area_today(row["cooperative__unit_id"])
            district = (area.code, area.name)
        elif row["cooperative__unit__level"] == "commune":
            district = (row["cooperative__unit__parent__code"], row["cooperative__unit__parent__name"])
        else:
            district = (row["cooperative__unit__code"], row["cooperative__unit__name"])
        for key in agg:
            by_district[district][key] += row[key] or 0
    sector_rows = []
    counts = registry.sector_counts()
    sector_figs = {r["cooperative__sector"]: r for r in figures.values("cooperative__sector").annotate(**agg)}
    for value, label in Sector.choices:
        if counts.get(value) or value in sector_figs:
            fig = sector_figs.get(value, {})
            sector_rows.append(
                {
                    "label": label,
                    "agriculture": value in AGRICULTURE_SECTORS,
                    "count": counts.get(value, 0),
                    **{k: fig.get(k) for k in agg},  # None: nothing filed, printed "—" like a district's
                }
            )
    district_rows = [{"label": key[1], **dict(values)} for key, values in sorted(by_district.items())]
    totals = {key: sum(r.get(key, 0) for r in district_rows) for key in ("htx", "union", "tht", "active")}
    for key in agg:  # a figure nobody filed stays unknown ("—") in the total too, never a made-up 0
        filed = [r[key] for r in district_rows if r.get(key) is not None]
        totals[key] = sum(filed) if filed else None
    totals["count"] = registry.total
    accounts_kept = accounts_kept_count(year=year, qs=queryset, unit_ids=units)
    return {
        "year": year,
        "on": registry.on,
        "today_map": today_map,
        "map_label": registry.map_label,
        "districts": district_rows,
        "sectors": sector_rows,
        "totals": totals,
        "accounts_kept": accounts_kept,
    }


def agency_sectors_move(old: Agency, new: Agency, change) -> list[Moved]:
    """The sectors a retired department oversaw are its successor's (so loan appraisals are sent there)."""
    moved: list[Moved] = []
    for row in SectorDepartment.objects.select_for_update().filter(agency=old).order_by("pk"):
        label = row.get_sector_display()
        if SectorDepartment.objects.filter(sector=row.sector, agency=new).exists():
            row.delete()
            moved.append(Moved("Lĩnh vực phụ trách", label, row.pk, f"{new} đã phụ trách lĩnh vực này"))
        else:
            SectorDepartment.objects.filter(pk=row.pk).update(agency=new)
            moved.append(Moved("Lĩnh vực phụ trách", label, row.pk))
    return moved
