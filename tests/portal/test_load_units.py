"""Today's province and its communes from the statistics office's list (portal.units2025, manage.py load_units)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import AdministrativeUnit, UnitMapping
from portal.units2025 import units_load
from tests.properties import examples


def _load() -> str:
    out = StringIO()
    call_command("load_units", "--province", "96", stdout=out)
    return out.getvalue()


def _ca_mau_communes():
    return AdministrativeUnit.objects.filter(parent__code="96", level="commune").order_by("code")


def test_ca_mau_gets_its_64_communes_straight_under_the_province_and_a_second_run_changes_nothing(demo):
    # The demo loads them: drop every one nothing points at (all but Xã Ninh Quới, which has its committee).
    UnitMapping.objects.all().delete()
    _ca_mau_communes().exclude(agencies__isnull=False).delete()
    first = _load()
    assert "Tỉnh Cà Mau" in first and "63 đơn vị mới" in first and "ngày 18/10/2025" in first
    communes = list(_ca_mau_communes())
    assert len(communes) == 64
    assert {unit.valid_from for unit in communes} == {date(2025, 7, 1)} and not any(u.valid_to for u in communes)
    ninh_quoi = AdministrativeUnit.objects.get(code="31849")
    assert (ninh_quoi.name, ninh_quoi.parent.name) == ("Xã Ninh Quới", "Tỉnh Cà Mau")
    assert sum(unit.name.startswith("Phường ") for unit in communes) == 9
    second = _load()
    assert "0 đơn vị mới, 0 đổi tên, 64 không đổi." in second
    assert list(_ca_mau_communes()) == communes


def test_a_commune_the_list_no_longer_has_is_named_for_staff_and_kept(demo):
    _load()
    province = AdministrativeUnit.objects.get(code="96")
    AdministrativeUnit.objects.create(code="CM-CU", name="Xã Cũ", level="commune", parent=province)
    text = _load()
    assert "Không còn trong danh mục" in text and "Xã Cũ" in text
    assert AdministrativeUnit.objects.filter(code="CM-CU").exists()


def test_an_unknown_province_is_refused_in_vietnamese(demo):
    with pytest.raises(CommandError, match="Không có tỉnh mã 999"):
        call_command("load_units", "--province", "999", stdout=StringIO())


@settings(max_examples=examples(15))
@given(
    drop=st.sets(st.integers(0, 63), max_size=10),
    rename=st.sets(st.integers(0, 63), max_size=10),
)
def test_whatever_was_dropped_or_renamed_one_run_gives_the_list_back(demo, drop, rename):
    units_load(96)
    communes = list(_ca_mau_communes())
    expected = [(u.code, u.name) for u in communes]
    dropped = [communes[i].pk for i in drop if not communes[i].agencies.exists()]  # the demo's commune committee
    drop = {i for i in drop if communes[i].pk in dropped}
    UnitMapping.objects.filter(new_unit__in=dropped).delete()  # the demo's rows pointing at them
    AdministrativeUnit.objects.filter(pk__in=dropped).delete()
    for i in rename - drop:
        AdministrativeUnit.objects.filter(pk=communes[i].pk).update(name=f"Tên cũ {i}")
    result = units_load(96)
    assert (len(result.created), len(result.renamed)) == (len(drop), len(rename - drop))
    assert [(u.code, u.name) for u in _ca_mau_communes()] == expected
