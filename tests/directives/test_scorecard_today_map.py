"""The scorecard on today's map (`ban_do=hien-nay`) on data of its own: on random registries over old and new
communes both maps give the same province; a list behind today's map opens only for a commune of today; a record
made at the province itself counts on the unknown row. On every app's demo: test_scorecard_today_map_demo.py."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperatives.models import Cooperative
from directives import scorecard
from portal.models import AdministrativeUnit
from portal.unitmap import TODAY_MAP, UNKNOWN, area_today
from tests.directives.test_scorecard import ON, URL, _count, _make, coop_strategy
from tests.properties import examples

TOTAL_COLUMNS = [key for key, _label, _base in scorecard.COOPERATIVE_COLUMNS] + ["arrears"]


def _card(client, day=None, today_map=True):
    params = {"ngay": day.strftime("%d/%m/%Y")} if day else {}
    if today_map:
        params["ban_do"] = TODAY_MAP
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["card"]


def _flat_numbers(row):
    return scorecard.flat(row)[1:]


@pytest.mark.django_db
def test_on_random_registries_over_old_and_new_communes_both_maps_give_the_same_province(client, demo, alliance_staff):
    """Cooperatives registered in communes of 2022 (merged since) and of today: on today's map each lands on the
    commune it lies in now, and the province's figures do not move."""
    client.force_login(alliance_staff)
    old = list(AdministrativeUnit.objects.filter(code__in=["956-02", "956-03", "960-02"]).order_by("code"))
    district = old[0].parent
    new = [area_today(u.pk).id for u in old]
    assert None not in new
    units = [*old, district, *AdministrativeUnit.objects.filter(pk__in=set(new)).order_by("code")]
    assert len(units) == 6

    @settings(max_examples=examples(6))
    @given(st.lists(coop_strategy, max_size=8))
    def check(specs):
        cache.clear()  # examples roll back, so no content version moves: nothing cached may carry over
        with transaction.atomic():
            Cooperative.objects.all().delete()
            for index, spec in enumerate(specs):
                _make(index, spec, units)
            then = _card(client, ON, today_map=False)
            today = _card(client, ON)
            for key, _label, _base in scorecard.COOPERATIVE_COLUMNS:
                assert today.total.figures[key].value == then.total.figures[key].value, (key, specs)
                # A cooperative registered at the district itself has no commune of today: the "unknown" row
                # holds it, unlinked, so the rows still add up to the province.
                assert sum(row.figures[key].value for row in today.rows) == today.total.figures[key].value, key
                for row in today.rows:
                    if row.unit_id == UNKNOWN.code:
                        assert row.name == UNKNOWN.name and not row.figures[key].url
                        continue
                    assert _count(client, row.figures[key].url) == row.figures[key].value, (row.name, key, specs)
            transaction.set_rollback(True)

    check()


@pytest.mark.parametrize("view", ["scorecard_reports", "scorecard_tasks"])
def test_a_list_behind_todays_map_answers_404_for_anything_but_a_commune_of_today(client, demo, alliance_staff, view):
    client.force_login(alliance_staff)
    url = reverse(f"directives:{view}")
    commune = AdministrativeUnit.objects.get(code="31849")
    retired = AdministrativeUnit.objects.get(code="956-03")
    assert client.get(url, {"xa": commune.pk, "ban_do": TODAY_MAP}).status_code == 200
    for params in (
        {"xa": "²", "ban_do": TODAY_MAP},  # a digit to str.isdigit, not to int()
        {"xa": "abc", "ban_do": TODAY_MAP},
        {"xa": "99999999999999999999", "ban_do": TODAY_MAP},
        {"xa": retired.pk, "ban_do": TODAY_MAP},  # a commune of 2022: it has no row of its own today
        {"xa": retired.parent_id, "ban_do": TODAY_MAP},  # a district
        {"xa": commune.parent_id, "ban_do": TODAY_MAP},  # the province
        {"xa": commune.pk},  # today's commune without today's map
        {"don_vi": retired.parent_id, "ban_do": TODAY_MAP},  # a district on today's map
        {"don_vi": "²"},
    ):
        assert client.get(url, params).status_code == 404, params


def test_a_record_made_at_the_province_itself_counts_on_the_unknown_row_unlinked(client, demo, alliance_staff):
    """No commune of today is its: the "unknown" row holds it, so the rows still add up to the province."""
    from cooperatives.models import Sector

    client.force_login(alliance_staff)
    province = AdministrativeUnit.objects.get(code="96")
    commune = AdministrativeUnit.objects.get(code="31849")
    for index, unit in enumerate((province, commune)):
        Cooperative.objects.create(
            name=f"HTX {index}", slug=f"htx-{index}", unit=unit, sector=Sector.CROPS, certificate_date=date(2020, 1, 1)
        )
    card = _card(client)
    assert [(row.name, row.figures["active"].value) for row in card.rows] == [("Xã Ninh Quới", 1), (UNKNOWN.name, 1)]
    assert card.total.figures["active"].value == 2
    unknown = card.rows[-1]
    assert not any(figure.url for figure in unknown.figures.values())
