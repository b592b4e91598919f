"""Merges and splits of administrative units as events with their legal source and date (portal.unitchanges)."""

import itertools
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import AdministrativeUnit, UnitChange
from portal.unitchanges import unit_change_record
from tests.properties import examples

DAY = date(2025, 7, 1)
SOURCE = "Nghị quyết số 1655/NQ-UBTVQH15 ngày 16/6/2025"
SERIAL = itertools.count()  # codes stay unique across a property test's examples (one transaction for all)


def _unit(code, name, level="commune", **kwargs):
    return AdministrativeUnit.objects.create(code=code, name=name, level=level, **kwargs)


def test_a_merge_ends_the_old_communes_the_day_before_and_names_the_new_one_their_successor(demo):
    a, b, c = (_unit(f"T-{i}", f"Xã Cũ {i}", valid_from=date(2004, 1, 1)) for i in "ABC")
    new = _unit("T-NEW", "Xã Mới")
    change = unit_change_record(kind="merge", before=[a, b, c], after=[new], effective_on=DAY, legal_source=SOURCE)
    for unit in (a, b, c):
        unit.refresh_from_db()
        assert unit.valid_to == date(2025, 6, 30) and list(unit.successors.all()) == [new]
        assert not unit.is_valid_on(DAY) and unit.is_valid_on(date(2025, 6, 30))
    new.refresh_from_db()
    assert new.valid_from == DAY and new.is_valid_on(DAY)
    assert str(change) == f"Sáp nhập từ 01/07/2025 ({SOURCE})"


def test_a_split_gives_the_old_commune_every_new_one_as_successor(demo):
    old = _unit("T-OLD", "Xã Lớn", valid_from=date(2004, 1, 1))
    east, west = _unit("T-E", "Xã Đông"), _unit("T-W", "Xã Tây")
    unit_change_record(kind="split", before=[old], after=[east, west], effective_on=DAY, legal_source=SOURCE)
    old.refresh_from_db()
    assert old.valid_to == date(2025, 6, 30) and set(old.successors.all()) == {east, west}


def test_a_commune_that_absorbs_its_neighbours_keeps_its_own_period(demo):
    keeps = _unit("T-K", "Xã Giữ Tên", valid_from=date(2004, 1, 1))
    gone = _unit("T-G", "Xã Nhập Vào", valid_from=date(2004, 1, 1))
    unit_change_record(kind="merge", before=[keeps, gone], after=[keeps], effective_on=DAY, legal_source=SOURCE)
    keeps.refresh_from_db()
    gone.refresh_from_db()
    assert (keeps.valid_from, keeps.valid_to) == (date(2004, 1, 1), None)
    assert gone.valid_to == date(2025, 6, 30) and list(gone.successors.all()) == [keeps]


@pytest.mark.parametrize(
    ("kind", "before", "after", "source", "field", "message"),
    [
        ("merge", 1, 1, SOURCE, "kind", "từ hai đơn vị trở lên thành một"),
        ("split", 1, 1, SOURCE, "kind", "từ một đơn vị thành hai"),
        ("merge", 2, 1, "  ", "legal_source", "Hãy ghi căn cứ pháp lý"),
        ("adjust", 0, 1, SOURCE, "before", "ít nhất một đơn vị trước"),
    ],
)
def test_a_change_that_cannot_be_is_refused_in_vietnamese_and_changes_nothing(
    demo, kind, before, after, source, field, message
):
    olds = [_unit(f"R-{i}", f"Xã R{i}", valid_from=date(2004, 1, 1)) for i in range(before)]
    news = [_unit(f"N-{i}", f"Xã N{i}") for i in range(after)]
    with pytest.raises(ValidationError) as refused:
        unit_change_record(kind=kind, before=olds, after=news, effective_on=DAY, legal_source=source)
    assert message in " ".join(refused.value.message_dict[field])
    assert not UnitChange.objects.exists()
    assert not AdministrativeUnit.objects.filter(code__startswith="R-", valid_to__isnull=False).exists()


def test_a_unit_already_ended_before_the_change_is_refused(demo):
    ended = _unit("T-END", "Xã Đã Giải Thể", valid_from=date(2004, 1, 1), valid_to=date(2020, 1, 1))
    other = _unit("T-OTH", "Xã Khác", valid_from=date(2004, 1, 1))
    new = _unit("T-N2", "Xã Sau")
    with pytest.raises(ValidationError, match="Đã hết hiệu lực trước ngày 01/07/2025: Xã Đã Giải Thể"):
        unit_change_record(kind="merge", before=[ended, other], after=[new], effective_on=DAY, legal_source=SOURCE)


def test_staff_record_a_merge_in_the_admin_and_a_bad_one_keeps_what_they_typed(client, alliance_staff):
    a, b = (_unit(f"A-{i}", f"Xã Hành Chính {i}", valid_from=date(2004, 1, 1)) for i in "12")
    new = _unit("A-NEW", "Xã Hành Chính Mới")
    client.force_login(alliance_staff)
    url = reverse("admin:portal_unitchange_add")
    bad = client.post(url, {"kind": "merge", "effective_on": "01/07/2025", "legal_source": "NQ 1655", "before": [a.pk],
                            "after": [new.pk]})  # fmt: skip
    assert bad.status_code == 200 and "từ hai đơn vị trở lên thành một" in bad.content.decode()
    assert "NQ 1655" in bad.content.decode() and not UnitChange.objects.exists()
    good = client.post(url, {"kind": "merge", "effective_on": "01/07/2025", "legal_source": "NQ 1655",
                             "before": [a.pk, b.pk], "after": [new.pk]})  # fmt: skip
    assert good.status_code == 302
    change = UnitChange.objects.get()
    assert change.recorded_by == alliance_staff
    a.refresh_from_db()
    assert a.valid_to == date(2025, 6, 30) and list(a.successors.all()) == [new]


@settings(max_examples=examples(20))
@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_any_merges_leave_every_old_commune_with_one_successor_valid_on_the_day(demo, sizes):
    """Several merges on the same day: each old commune ends the day before, and exactly one unit valid on the day
    succeeds it; counted by commune, the communes valid on the day are the new ones (the old all ended)."""
    created = []
    for n, size in enumerate(sizes):
        olds = [_unit(f"P-{next(SERIAL)}", f"Xã P{n}{i}", valid_from=date(2004, 1, 1)) for i in range(size + 1)]
        new = _unit(f"P-{next(SERIAL)}", f"Xã P{n} mới")
        unit_change_record(kind="merge", before=olds, after=[new], effective_on=DAY, legal_source=SOURCE)
        created.append((olds, new))
    for olds, new in created:
        for old in olds:
            old.refresh_from_db()
            successors = [u for u in old.successors.all() if u.is_valid_on(DAY)]
            assert successors == [new] and not old.is_valid_on(DAY)
