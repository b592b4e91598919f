"""Merges, splits and changes of boundaries between administrative units, each recorded as one event
(portal.models.UnitChange) with its legal source and the day it takes effect.

`unit_change_check` says in Vietnamese what is wrong with a change before anything is written (the admin's form
shows it with what was typed); `unit_change_record` checks and writes it: the units before it end the day before,
each names every unit after it as a successor, and a unit after it without a start date begins that day. A unit on
both sides (a commune that absorbs its neighbours and goes on) keeps its own period.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import AdministrativeUnit, UnitChange


def unit_change_check(*, kind: str, before, after, effective_on: date | None, legal_source: str) -> None:
    """Raise ValidationError (field -> message) when the change cannot be recorded as described."""
    before, after = list(before), list(after)
    errors = {}
    if not (legal_source or "").strip():
        errors["legal_source"] = "Hãy ghi căn cứ pháp lý (số, ký hiệu và ngày của nghị quyết, quyết định)."
    if not before:
        errors["before"] = "Hãy chọn ít nhất một đơn vị trước khi thay đổi."
    if not after:
        errors["after"] = "Hãy chọn ít nhất một đơn vị sau khi thay đổi."
    if kind == UnitChange.Kind.MERGE and before and after and (len(before) < 2 or len(after) != 1):
        errors["kind"] = "Sáp nhập là từ hai đơn vị trở lên thành một đơn vị."
    if kind == UnitChange.Kind.SPLIT and before and after and (len(before) != 1 or len(after) < 2):
        errors["kind"] = "Chia tách là từ một đơn vị thành hai đơn vị trở lên."
    if effective_on and before:
        ended = [u.name for u in before if u.valid_to is not None and u.valid_to < effective_on - timedelta(days=1)]
        if ended:
            errors["before"] = f"Đã hết hiệu lực trước ngày {effective_on:%d/%m/%Y}: {', '.join(ended)}."
        late = [u.name for u in before if u.valid_from is not None and u.valid_from >= effective_on]
        if late:
            errors["before"] = f"Chưa có hiệu lực trước ngày {effective_on:%d/%m/%Y}: {', '.join(late)}."
    if effective_on and after:
        gone = [u.name for u in after if u.valid_to is not None and u.valid_to < effective_on]
        if gone:
            errors["after"] = f"Đã hết hiệu lực trước ngày {effective_on:%d/%m/%Y}: {', '.join(gone)}."
    levels = {u.level for u in before + after}
    if len(levels) > 1:
        errors.setdefault("after", "Các đơn vị trước và sau phải cùng một cấp.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_change_record(*, kind: str, before, after, effective_on: date, legal_source: str, by=None) -> UnitChange:
    """Check the change and record it with its effects on the units' periods and successors."""
    ids = {u.pk for u in before} | {u.pk for u in after}
    locked = {u.pk: u for u in AdministrativeUnit.objects.select_for_update().filter(pk__in=ids)}
    before = [locked[u.pk] for u in before]
    after = [locked[u.pk] for u in after]
    unit_change_check(kind=kind, before=before, after=after, effective_on=effective_on, legal_source=legal_source)
    change = UnitChange.objects.create(
        kind=kind, effective_on=effective_on, legal_source=legal_source.strip(), recorded_by=by
    )
    change.before.set(before)
    change.after.set(after)
    unit_change_apply(change)
    return change


def unit_change_apply(change: UnitChange) -> None:
    """The change's effects on its units (idempotent: applying it again changes nothing)."""
    after = list(change.after.all())
    after_ids = {u.pk for u in after}
    last_day = change.effective_on - timedelta(days=1)
    for unit in change.before.all():
        if unit.pk in after_ids:
            continue
        if unit.valid_to is None or unit.valid_to > last_day:
            unit.valid_to = last_day
            unit.save(update_fields=["valid_to"])
        unit.successors.add(*after)
    for unit in after:
        if unit.valid_from is None:
            unit.valid_from = change.effective_on
            unit.save(update_fields=["valid_from"])
