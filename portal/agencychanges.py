"""Agencies merged into one or renamed, each change recorded once (portal.models.AgencyChange) with its legal source
and the day it takes effect.

`agency_change_record` checks and writes the change. Each agency before it (other than the successor itself) retires:
`is_active` off, `valid_to` the day before, `successor` set. Its officers' accounts move to the successor, and so
does its open work: each app registers a mover with `work_mover`, called with (old agency, successor, change) inside
the change's transaction, returning what it moved. Every move is kept as an AgencyMove. Closed work (an accepted
report, a completed task, an appraisal given) keeps its original agency: what that agency did stays its own.

An account left in a retired agency (one created there later by mistake, or moved back by hand) sees nothing of
its work: `portal.access.user_scope` gives a retired agency's officers no scope.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Agency, AgencyChange, AgencyMove, User


@dataclass(frozen=True)
class Moved:
    """One thing a mover moved: its kind ("Phân công nhiệm vụ"), how it reads, its primary key, and a note."""

    what: str
    label: str
    object_id: object
    note: str = ""


Mover = Callable[[Agency, Agency, AgencyChange], list[Moved]]
_MOVERS: list[Mover] = []


def work_mover(mover: Mover) -> Mover:
    """Register an app's mover of open work (called from its AppConfig.ready; idempotent)."""
    if mover not in _MOVERS:
        _MOVERS.append(mover)
    return mover


def agency_change_check(*, kind: str, before, after: Agency | None, effective_on: date | None, legal_source: str):
    """Raise ValidationError (field -> message) when the change cannot be recorded as described."""
    before = list(before)
    errors = {}
    if not (legal_source or "").strip():
        errors["legal_source"] = "Hãy ghi căn cứ pháp lý (số, ký hiệu và ngày của nghị quyết, quyết định)."
    if after is None:
        errors["after"] = "Hãy chọn cơ quan kế thừa."
    retiring = [a for a in before if after is None or a.pk != after.pk]
    if not retiring:
        errors["before"] = "Hãy chọn ít nhất một cơ quan khác cơ quan kế thừa."
    elif kind == AgencyChange.Kind.MERGE and len(before) < 2:
        errors["kind"] = "Hợp nhất, sáp nhập là từ hai cơ quan trở lên vào một cơ quan."
    elif kind == AgencyChange.Kind.RENAME and len(retiring) != 1:
        errors["kind"] = "Đổi tên, tổ chức lại là một cơ quan thành một cơ quan khác."
    retired = [a.name for a in retiring if not a.is_active or a.successor_id is not None]
    if retired:
        errors["before"] = f"Đã ngừng hoạt động: {', '.join(retired)}."
    if after is not None and (not after.is_active or after.successor_id is not None):
        errors["after"] = f"{after.name} đã ngừng hoạt động, không thể kế thừa."
    if errors:
        raise ValidationError(errors)


def _accounts_move(old: Agency, new: Agency, change: AgencyChange) -> list[Moved]:
    moved = []
    for user in User.objects.select_for_update().filter(agency=old).order_by("pk"):
        user.agency = new
        user.save(update_fields=["agency"])
        moved.append(Moved("Tài khoản cán bộ", user.get_full_name() or user.username, user.pk))
    return moved


@transaction.atomic
def agency_change_record(
    *, kind: str, before, after: Agency, effective_on: date, legal_source: str, by=None
) -> AgencyChange:
    """Check the change, retire the agencies before it and move their accounts and open work to `after`."""
    ids = {a.pk for a in before} | {after.pk}
    locked = {a.pk: a for a in Agency.objects.select_for_update().filter(pk__in=ids)}
    before = [locked[a.pk] for a in before]
    after = locked[after.pk]
    agency_change_check(kind=kind, before=before, after=after, effective_on=effective_on, legal_source=legal_source)
    change = AgencyChange.objects.create(
        kind=kind, effective_on=effective_on, legal_source=legal_source.strip(), after=after, recorded_by=by
    )
    change.before.set(before)
    last_day = effective_on - timedelta(days=1)
    for old in before:
        if old.pk == after.pk:
            continue
        for mover in [_accounts_move, *_MOVERS]:
            for item in mover(old, after, change):
                AgencyMove.objects.create(
                    change=change,
                    what=item.what,
                    label=str(item.label)[:300],
                    object_id=str(item.object_id),
                    from_agency=old,
                    to_agency=after,
                    note=item.note[:300],
                )
        old.is_active = False
        old.valid_to = last_day
        old.successor = after
        old.save(update_fields=["is_active", "valid_to", "successor"])
    return change
