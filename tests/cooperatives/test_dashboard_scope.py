"""A figure shown to an officer is theirs or the province's, never a mix: each row the officer sees is counted over
everything that row stands for, and rows outside their scope are not shown at all."""

from datetime import date
from io import StringIO

import pytest
from django.utils import timezone

from cooperatives.models import UnitTarget

from .factories import CooperativeFactory

DISTRICTS = [
    "Thành phố Bạc Liêu",
    "Huyện Hồng Dân",
    "Huyện Phước Long",
    "Huyện Vĩnh Lợi",
    "Thị xã Giá Rai",
    "Huyện Đông Hải",
    "Huyện Hòa Bình",
]


@pytest.fixture
def targets(units, hong_dan_commune, dong_hai_commune):
    """This year: Hồng Dân founded 1 of 2, Đông Hải 2 of 3."""
    year = timezone.localdate().year
    UnitTarget.objects.create(unit=units["Huyện Hồng Dân"], year=year, new_cooperatives=2)
    UnitTarget.objects.create(unit=units["Huyện Đông Hải"], year=year, new_cooperatives=3)
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(year, 1, 5))
    CooperativeFactory(unit=dong_hai_commune, certificate_date=date(year, 1, 6))
    CooperativeFactory(unit=dong_hai_commune, certificate_date=date(year, 1, 7), kind="union")
    CooperativeFactory(unit=dong_hai_commune, certificate_date=date(year - 1, 6, 1))  # last year: not counted
    return year


def _targets(client, user):
    client.force_login(user)
    return {row["unit"]: (row["done"], row["target"]) for row in client.get("/hop-tac-xa/quan-ly/").context["targets"]}


def test_a_district_officer_sees_only_their_districts_target_row(client, targets, officer_hong_dan, officer_dong_hai):
    assert _targets(client, officer_hong_dan) == {"Huyện Hồng Dân": (1, 2)}
    assert _targets(client, officer_dong_hai) == {"Huyện Đông Hải": (2, 3)}


def test_province_staff_see_every_districts_row_counted_over_that_district(client, targets, alliance_staff):
    rows = _targets(client, alliance_staff)
    assert list(rows) == DISTRICTS
    assert rows["Huyện Hồng Dân"] == (1, 2) and rows["Huyện Đông Hải"] == (2, 3) and rows["Huyện Hòa Bình"] == (0, 0)


@pytest.fixture
def commune_targets(units, hong_dan_commune):
    """This year's targets set per commune of today (since the districts ended): Xã Ninh Quới of Cà Mau, made in
    2025 of Xã Ninh Quới and Xã Ninh Quới A of Hồng Dân, founded 2 of 3 (one in each); Xã Long Điền 0 of 1."""
    from portal.models import AdministrativeUnit

    year = timezone.localdate().year
    ninh_quoi = AdministrativeUnit.objects.get(code="31849")
    today_long_dien = AdministrativeUnit.objects.filter(name="Xã Long Điền", valid_to__isnull=True).get()
    UnitTarget.objects.create(unit=ninh_quoi, year=year, new_cooperatives=3)
    UnitTarget.objects.create(unit=today_long_dien, year=year, new_cooperatives=1)
    CooperativeFactory(unit=ninh_quoi, certificate_date=date(year, 2, 3))
    CooperativeFactory(unit=AdministrativeUnit.objects.get(code="956-03"), certificate_date=date(year, 1, 9))
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(year - 1, 3, 1))  # last year: not counted
    return year


def test_targets_set_per_commune_of_today_are_counted_over_the_communes_merged_into_it(
    client, commune_targets, alliance_staff
):
    from portal.models import User

    rows = _targets(client, alliance_staff)
    # No district has a target this year: the districts' rows give way to the communes that have one.
    assert rows == {"Xã Ninh Quới": (2, 3), "Xã Long Điền": (0, 1)}
    assert _targets(client, User.objects.get(username="ninhquoi")) == {"Xã Ninh Quới": (2, 3)}


def test_a_year_with_district_and_commune_targets_lists_both(client, targets, commune_targets, alliance_staff):
    rows = _targets(client, alliance_staff)
    assert list(rows)[: len(DISTRICTS)] == DISTRICTS
    # Hồng Dân as it stood: its Xã Ninh Quới and Xã Ninh Quới A founded one each this year; today's Xã Ninh Quới
    # holds both, and the one registered in it since.
    assert rows["Huyện Hồng Dân"] == (2, 2)
    assert rows["Xã Ninh Quới"] == (3, 3)


def test_no_table_or_chart_on_a_district_officers_dashboard_names_another_district(client, officer_hong_dan):
    from cooperatives import demo as cooperatives_demo

    cooperatives_demo.load(StringIO())
    client.force_login(officer_hong_dan)
    response = client.get("/hop-tac-xa/quan-ly/")
    page = response.content.decode()
    assert "Huyện Hồng Dân" in page
    assert [name for name in DISTRICTS if name != "Huyện Hồng Dân" and name in page] == []
    counts = response.context["counts"]
    assert [name for name, _ in counts["by_unit"]] == ["Huyện Hồng Dân"]
    assert counts["total"] == sum(n for _, n in counts["by_kind"]) == sum(n for _, n in counts["by_status"])
    assert response.context["trained"]["total"] <= counts["total"]


def test_a_district_officers_workspace_lists_only_their_agencys_requests_and_tasks(client, officer_hong_dan, demo):
    from portal.models import Agency
    from tests.directives.factories import assignment, report_request

    hong_dan = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    dong_hai = Agency.objects.get(name="Ủy ban nhân dân Huyện Đông Hải")
    mine = report_request([hong_dan, dong_hai], title="Báo cáo chung")
    report_request([dong_hai], title="Báo cáo riêng Đông Hải")
    assignment(hong_dan)
    assignment(dong_hai)
    client.force_login(officer_hong_dan)
    response = client.get("/bao-cao/")
    assert [(c.request, c.agency) for c in response.context["cells"]] == [(mine, hong_dan)]
    assert {a.agency for a in response.context["assignments"]} == {hong_dan}
    assert "Báo cáo riêng Đông Hải" not in response.content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_an_officers_dashboard_costs_the_same_queries_at_two_sizes(
    client, officer_hong_dan, hong_dan_commune, django_assert_num_queries, size
):
    for i in range(size):
        CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2015 + i % 10, 1, 1))
    client.force_login(officer_hong_dan)
    client.get("/hop-tac-xa/quan-ly/")  # warm the session, the user and the unit tree
    # 16, plus the pilot block (2), boards out of term, accounts kept, and the district that narrows the links
    with django_assert_num_queries(21):
        assert client.get("/hop-tac-xa/quan-ly/").status_code == 200
