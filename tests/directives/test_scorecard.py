"""The district scorecard: every figure is the count of the list its link opens, for every district and the province;
officers see the whole table with their row marked and open only their own lists; the date is validated; the
exports carry the page's figures; the page costs the same number of queries whatever the data size."""

import io
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cooperatives.models import Congress, Cooperative, Evaluation, Person, Position, Training, UnitTarget, YearlyFigure
from directives import scorecard
from portal.models import AdministrativeUnit
from tests.properties import examples

URL = "/bao-cao/dia-ban/"


@pytest.fixture
def full_demo(demo):
    from cooperatives import demo as cooperatives_demo
    from directives import demo as directives_demo
    from fund import demo as fund_demo

    for module in (cooperatives_demo, fund_demo, directives_demo):
        module.load(StringIO())


def _count(client, url) -> int:
    """The count the list at `url` shows: the number in its "Tìm thấy N ..." line, checked against its context."""
    response = client.get(url)
    assert response.status_code == 200, url
    shown = re.search(r'id="ket-qua">Tìm thấy ([\d.]+) ', response.content.decode())
    assert shown, url
    return int(shown.group(1).replace(".", ""))


def _figures(row):
    for key, figure in row.figures.items():
        yield key, figure.value, figure.url
        if figure.of is not None:
            yield f"{key} (of)", figure.of, figure.of_url


def _assert_links_match(client, card):
    checked = 0
    for row in [*card.rows, card.total]:
        for key, value, url in _figures(row):
            assert url, (row.name, key)
            assert _count(client, url) == value, (row.name, key, url)
            checked += 1
    return checked


NONZERO = (
    "active",
    "weak",
    "congress_held",
    "board",
    "trained",
    "accounts",
    "reports",
    "tasks_done",
    "tasks_overdue",
    "arrears",
)


def test_every_figure_of_every_district_equals_the_count_of_the_list_its_link_opens(client, full_demo, alliance_staff):
    client.force_login(alliance_staff)
    seen = set()
    # Today (the fund's loans, the tasks) and the end of 2022 (the demo's report requests, the districts in force).
    for day in (None, date(2022, 12, 31)):
        response = client.get(URL, {"ngay": day.strftime("%d/%m/%Y")} if day else {})
        assert response.status_code == 200
        card = response.context["card"]
        assert len(card.rows) == 7  # the districts of 2022
        assert _assert_links_match(client, card) == 8 * 16
        seen |= {key for key, figure in card.total.figures.items() if figure.value}
        for key, _label, _base in scorecard.COOPERATIVE_COLUMNS:  # every demo cooperative lies in a district
            assert card.total.figures[key].value == sum(row.figures[key].value for row in card.rows), key
    # The demo is not empty in any column that matters: a comparison of zeros proves nothing.
    assert set(NONZERO) <= seen, set(NONZERO) - seen
