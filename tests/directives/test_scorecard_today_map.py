"""The scorecard on today's map (`ban_do=hien-nay`): one row per commune in force today that has a figure, the
cooperatives and loans of the communes merged into it counted there; every linked figure is the count of the list
it opens; the province's total is the same on either map; a commune officer sees their own row and nobody else's
lists."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperatives.models import Cooperative
from directives import scorecard
from portal.models import AdministrativeUnit, User
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


def test_every_linked_figure_of_todays_communes_equals_its_list_and_the_total_is_the_districts(
    client, full_demo, alliance_staff
):
    client.force_login(alliance_staff)
    for day in (None, date(2022, 12, 31)):
        card = _card(client, day)
        assert card.today_map and card.map_label == "theo địa giới hiện nay"
        today = {u.pk for u in AdministrativeUnit.objects.filter(valid_to__isnull=True, level="commune")}
        assert len(card.rows) > 7 and all(row.unit_id in today for row in card.rows)
        checked = 0
        for row in [*card.rows, card.total]:
            for key, figure in row.figures.items():
                assert figure.url, (row.name, key)
                assert _count(client, figure.url) == figure.value, (row.name, key, figure.url)
                checked += 1
                if figure.of is not None:
                    assert _count(client, figure.of_url) == figure.of, (row.name, key, figure.of_url)
        assert checked == (len(card.rows) + 1) * 11
        # The same province whichever map: every figure of the total row, to the đồng.
        districts = _card(client, day, today_map=False)
        assert _flat_numbers(card.total) == _flat_numbers(districts.total)
        # Every demo cooperative and loan lies in a commune of today: the rows add up to the total.
        for key in TOTAL_COLUMNS:
            assert sum(row.figures[key].value for row in card.rows) == card.total.figures[key].value, key
        assert sum(row.arrears.outstanding for row in card.rows) == card.total.arrears.outstanding


def test_the_commune_of_today_counts_the_cooperatives_of_the_communes_merged_into_it(client, full_demo, alliance_staff):
    client.force_login(alliance_staff)
    card = _card(client)
    ninh_quoi = next(row for row in card.rows if row.name == "Xã Ninh Quới")
    merged = [c for c in Cooperative.objects.select_related("unit") if area_today(c.unit_id).id == ninh_quoi.unit_id]
    # Registered before 2025 in Xã Ninh Quới A of Hồng Dân, and since then in today's Xã Ninh Quới itself.
    assert {c.unit.code for c in merged} >= {"956-03", "31849"}
    listed = client.get(ninh_quoi.figures["active"].url).context["page_obj"].object_list
    assert {c.unit.code for c in listed} >= {"956-03", "31849"}
    # Its committee's half-year report of 2026 came on time: the commune's row has it.
    assert (ninh_quoi.figures["reports"].value, ninh_quoi.figures["reports"].of) == (1, 1)


def test_the_page_pdf_and_spreadsheet_say_which_map(client, full_demo, alliance_staff):
    client.force_login(alliance_staff)
    page = client.get(URL, {"ban_do": TODAY_MAP}).content.decode()
    assert "theo địa giới hiện nay" in page and "Xã, phường hiện nay" in page
    assert "theo địa giới tại thời điểm báo cáo" in client.get(URL).content.decode()
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(reverse("directives:scorecard_xlsx"), {"ban_do": TODAY_MAP}).content))
    assert book.active["A1"].value.endswith("theo địa giới hiện nay")
    assert "Xã Ninh Quới" in [row[0] for row in book.active.iter_rows(values_only=True)]


def test_a_commune_officer_sees_their_row_marked_and_opens_only_its_lists(client, full_demo):
    officer = User.objects.get(username="ninhquoi")
    client.force_login(officer)
    card = _card(client)
    own = [row for row in card.rows if row.own]
    assert [row.name for row in own] == ["Xã Ninh Quới"]
    for row in card.rows:
        assert bool([f for f in row.figures.values() if f.url]) == row.own, row.name
    for key, figure in own[0].figures.items():
        if figure.url:
            assert _count(client, figure.url) == figure.value, key
    other = next(row for row in card.rows if not row.own)
    for view in ("scorecard_reports", "scorecard_tasks"):
        url = reverse(f"directives:{view}")
        assert client.get(url, {"xa": other.unit_id, "ban_do": TODAY_MAP}).status_code == 404
        assert client.get(url, {"xa": own[0].unit_id, "ban_do": TODAY_MAP}).status_code == 200


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


def _queries(client, day=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _card(client, day)
    return len(captured)


def test_the_page_on_todays_map_costs_the_same_queries_whatever_the_number_of_communes_and_cooperatives(
    client, full_demo, alliance_staff
):
    """More communes of today with cooperatives (and old communes merged into them) add rows, not queries."""
    from cooperatives.models import Sector
    from portal.models import UnitMapping

    client.force_login(alliance_staff)
    _queries(client)  # warm the caches (scope, site settings, today's map)
    small = _queries(client)
    rows_before = len(_card(client).rows)
    today = list(
        AdministrativeUnit.objects.filter(level="commune", valid_to__isnull=True)
        .exclude(pk__in=[row.unit_id for row in _card(client).rows])
        .order_by("code")[:5]
    )
    district = AdministrativeUnit.objects.get(code="956-02").parent
    for n, commune in enumerate(today):
        old = AdministrativeUnit.objects.create(
            code=f"956-x{n}", name=f"Xã Cũ {n}", level="commune", parent=district, valid_to=date(2025, 6, 30)
        )
        UnitMapping.objects.create(old_unit=old, new_unit=commune)
        for i, unit in enumerate((old, commune, commune)):
            Cooperative.objects.create(
                name=f"HTX thử {n}-{i}",
                slug=f"htx-thu-{n}-{i}",
                unit=unit,
                sector=Sector.CROPS,
                certificate_date=date(2020, 1, 1),
            )
    _queries(client)  # the units changed: today's map is read again once
    large = _queries(client)
    assert len(_card(client).rows) == rows_before + 5
    assert large == small, (small, large)


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
