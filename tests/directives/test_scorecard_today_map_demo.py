"""The scorecard on today's map (`ban_do=hien-nay`) on every app's demo (`load_demo`, once for the module):
every linked figure of today's communes is the count of the list it opens and the total is the districts'; a commune
counts the cooperatives of the communes merged into it; the exports say which map; a commune officer opens only
their own lists; the page costs the same queries whatever the number of communes. The tests on data of their own are
in test_scorecard_today_map.py."""

from datetime import date

from django.urls import reverse

from cooperatives.models import Cooperative
from portal.models import AdministrativeUnit, User
from portal.unitmap import TODAY_MAP, area_today
from tests.directives.test_scorecard import URL, _count
from tests.directives.test_scorecard_demo import a_cooperative
from tests.directives.test_scorecard_today_map import TOTAL_COLUMNS, _card, _flat_numbers


def test_every_linked_figure_of_todays_communes_equals_its_list_and_the_total_is_the_districts(
    client, every_demo, alliance_staff
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


def test_the_commune_of_today_counts_the_cooperatives_of_the_communes_merged_into_it(
    client, every_demo, alliance_staff
):
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


def test_the_page_pdf_and_spreadsheet_say_which_map(client, every_demo, alliance_staff):
    client.force_login(alliance_staff)
    page = client.get(URL, {"ban_do": TODAY_MAP}).content.decode()
    assert "theo địa giới hiện nay" in page and "Xã, phường hiện nay" in page
    assert "theo địa giới tại thời điểm báo cáo" in client.get(URL).content.decode()
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(reverse("directives:scorecard_xlsx"), {"ban_do": TODAY_MAP}).content))
    assert book.active["A1"].value.endswith("theo địa giới hiện nay")
    assert "Xã Ninh Quới" in [row[0] for row in book.active.iter_rows(values_only=True)]


def test_a_commune_officer_sees_their_row_marked_and_opens_only_its_lists(client, every_demo):
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


def _queries(client, day=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _card(client, day)
    return len(captured)


def test_the_page_on_todays_map_costs_the_same_queries_whatever_the_number_of_communes_and_cooperatives(
    client, every_demo, alliance_staff
):
    """More communes of today with cooperatives (and old communes merged into them) add rows, not queries."""
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
            a_cooperative(f"{n}-{i}", unit)
    _queries(client)  # the units changed: today's map is read again once
    large = _queries(client)
    assert len(_card(client).rows) == rows_before + 5
    assert large == small, (small, large)
