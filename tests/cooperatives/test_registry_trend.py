"""The statistics page's years: founded, gone and existing units per year, from the registry's own dates."""

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperatives.charts import label_lines
from cooperatives.selectors import registry_as_of, registry_trend
from tests.properties import examples

from .factories import CooperativeFactory
from .test_registry_as_of import Plan, build, change_status, plans


def test_a_unit_founded_in_2019_and_dissolved_in_2022_moves_the_years_it_should(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2019, 4, 2))
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2018, 1, 1))
    change_status(coop, "dissolved", date(2022, 6, 30))
    rows = {row.year: row for row in registry_trend(date(2023, 5, 1)).rows}
    assert (rows[2018].founded, rows[2018].dissolved, rows[2018].active) == (1, 0, 1)
    assert (rows[2019].founded, rows[2019].dissolved, rows[2019].active) == (1, 0, 2)
    assert (rows[2022].founded, rows[2022].dissolved, rows[2022].active) == (0, 1, 1)
    assert rows[2023].active == 1 and max(rows) == 2023


@pytest.mark.property
def test_each_years_active_is_the_last_years_plus_founded_less_dissolved_and_ends_at_the_live_count(units):
    @settings(max_examples=examples(20))
    @given(registry=st.lists(plans, max_size=7), on=st.dates(date(2017, 1, 1), date(2026, 12, 31)))
    @example(
        registry=[Plan("Xã Ninh Quới", "htx", "crops", date(2016, 1, 1), [(date(2020, 1, 1), "dissolved")])],
        on=date(2024, 3, 1),
    )
    @example(registry=[Plan("Xã Ninh Quới", "htx", "crops", date(2018, 1, 1), [])], on=date(2017, 1, 1))
    @example(
        registry=[
            Plan("Xã Long Điền", "htx", "trade", None, [(date(2021, 5, 1), "dissolved"), (date(2022, 3, 1), "active")])
        ],
        on=date(2023, 1, 1),
    )
    def check(registry, on):
        with transaction.atomic():
            build(registry, units)
            trend = registry_trend(on)
            assert trend.rows[-1].year == on.year
            previous = trend.before
            for row in trend.rows:
                assert row.active == previous + row.founded - row.dissolved + row.restored
                assert row.active == registry_as_of(min(date(row.year, 12, 31), on)).total
                founded = [p for p in registry if p.registered and p.registered.year == row.year and p.registered <= on]
                assert row.founded == len(founded)
                if not any(new == "active" for p in registry for _, new in p.changes):
                    assert row.restored == 0  # nothing revived: active(y) = active(y-1) + founded(y) - dissolved(y)
                previous = row.active
            assert trend.rows[-1].active == registry_as_of(on).total  # the registry's live count
            transaction.set_rollback(True)

    check()


def test_the_statistics_page_shows_the_years_and_ends_at_the_count_it_shows_on_top(client, hong_dan_commune):
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2015, 3, 1))
    gone = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2020, 3, 1))
    change_status(gone, "bankrupt", date(2021, 8, 1))
    response = client.get("/hop-tac-xa/thong-ke/")
    trend, counts = response.context["trend"], response.context["counts"]
    assert trend.rows[-1].year == timezone.localdate().year
    assert trend.rows[-1].active == counts["total"]
    html = response.content.decode()
    assert '<h2 id="qua-cac-nam">Qua các năm</h2>' in html
    assert '<th scope="row">2021</th><td class="num">0</td><td class="num">1</td>' in html


def test_a_long_chart_label_wraps_on_words_and_fits_its_column():
    lines = label_lines("Ngừng hoạt động không thông báo")
    assert lines == ["Ngừng hoạt động không thông", "báo"]
    assert all(len(line) <= 28 for line in label_lines("Một nhãn rất dài " * 6))
    assert label_lines("Một nhãn rất dài " * 6)[-1].endswith("…")
