"""The district scorecard on data of its own: on random registries every cooperative figure is the count of the list
its link opens; who may open the page; the date is validated; a percentage is written out in words. On every app's
demo: test_scorecard_demo.py."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperatives.models import (
    Congress,
    Cooperative,
    Evaluation,
    Grade,
    Person,
    Position,
    Sector,
    Training,
    YearlyFigure,
)
from directives import scorecard
from portal.models import AdministrativeUnit
from tests.properties import examples

URL = "/bao-cao/dia-ban/"


def _count(client, url) -> int:
    """The count the list at `url` shows: the number in its "Tìm thấy N ..." line, checked against its context."""
    response = client.get(url)
    assert response.status_code == 200, url
    shown = re.search(r'id="ket-qua">Tìm thấy ([\d.]+) ', response.content.decode())
    assert shown, url
    return int(shown.group(1).replace(".", ""))


# --- random registries: every condition, every district, against the registry list ----------------------------------

STATUSES = list(Cooperative.Status.values)
KINDS = list(Cooperative.Kind.values)
GRADES = [g for g, _ in Grade.choices]
ON = date(2024, 6, 30)  # the districts are in force
POSTS = ["board_chair", "board_member", "director", "treasurer"]


def _day(offset):
    return ON + timedelta(days=offset)


END = st.one_of(st.none(), st.integers(-300, 900).map(_day))
coop_strategy = st.fixed_dictionaries(
    {
        "unit": st.integers(0, 5),
        "kind": st.sampled_from(KINDS),
        "status": st.sampled_from(STATUSES),
        "status_since": st.one_of(st.none(), st.integers(-900, 200).map(_day)),
        "certificate": st.one_of(st.none(), st.integers(-4000, 100).map(_day)),
        "grades": st.lists(
            st.tuples(st.integers(2021, 2025), st.sampled_from(GRADES)), max_size=2, unique_by=lambda t: t[0]
        ),
        "congress": st.one_of(st.none(), st.tuples(st.integers(2021, 2024), st.integers(-400, 100).map(_day))),
        "post": st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(["board_chair", "board_member", "director", "treasurer"]),
                st.integers(-2000, 0).map(_day),
                st.one_of(st.none(), st.integers(-300, 900).map(_day)),
            ),
        ),
        "trained": st.one_of(st.none(), st.integers(-400, 100).map(_day)),
        "accounts": st.one_of(st.none(), st.tuples(st.integers(2022, 2024), st.booleans())),
    }
)


def _make(index, spec, units):
    coop = Cooperative.objects.create(
        kind=spec["kind"],
        name=f"HTX ngẫu nhiên {index}",
        slug=f"htx-ngau-nhien-{index}",
        unit=units[spec["unit"]],
        sector=Sector.CROPS,
        status=spec["status"],
        status_since=spec["status_since"],
        certificate_date=spec["certificate"],
    )
    for year, grade in spec["grades"]:
        Evaluation.objects.create(cooperative=coop, year=year, grade=grade)
    if spec["congress"]:
        fiscal_year, held = spec["congress"]
        Congress.objects.create(cooperative=coop, kind=Congress.Kind.ANNUAL, fiscal_year=fiscal_year, held_date=held)
    person = Person.objects.create(cooperative=coop, full_name=f"Người {index}")
    if spec["post"]:
        post, start, end = spec["post"]
        Position.objects.create(
            person=person, post=post, term_start=start, term_end=end if end and end >= start else None
        )
    if spec["trained"]:
        Training.objects.create(person=person, course="Quản trị HTX", held_on=spec["trained"], organiser="Liên minh")
    if spec["accounts"]:
        year, kept = spec["accounts"]
        YearlyFigure.objects.create(cooperative=coop, year=year, keeps_accounts=kept)


@pytest.mark.django_db
def test_on_random_registries_every_cooperative_figure_equals_its_registry_list(client, demo, alliance_staff):
    client.force_login(alliance_staff)
    district_a, district_b = AdministrativeUnit.objects.filter(level="district").order_by("code")[:2]
    units = [district_a, *district_a.children.all()[:2], district_b, *district_b.children.all()[:2]]
    assert len(units) == 6

    @settings(max_examples=examples(6))
    @given(st.lists(coop_strategy, max_size=8))
    def check(specs):
        with transaction.atomic():
            Cooperative.objects.all().delete()
            for index, spec in enumerate(specs):
                _make(index, spec, units)
            card = client.get(URL, {"ngay": ON.strftime("%d/%m/%Y")}).context["card"]
            for row in [*card.rows, card.total]:
                for key, _label, base in scorecard.COOPERATIVE_COLUMNS:
                    figure = row.figures[key]
                    assert _count(client, figure.url) == figure.value, (row.name, key, specs)
                    if base:
                        assert _count(client, figure.of_url) == figure.of, (row.name, base, specs)
            assert card.total.figures["active"].value == sum(s["kind"] is not None and _active_on(s) for s in specs)
            transaction.set_rollback(True)

    check()


def _active_on(spec) -> bool:
    """Independent of the selectors: registered by ON, and active then. Each row here is saved today with one history
    version: a status dated on or before ON holds on ON; one without a date (or dated later) takes effect on its own
    day, after ON, and before it a cooperative counts as active (cooperatives.selectors)."""
    if spec["certificate"] and spec["certificate"] > ON:
        return False
    if spec["status_since"] is not None and spec["status_since"] <= ON:
        return spec["status"] == Cooperative.Status.ACTIVE
    return True


# --- who sees what --------------------------------------------------------------------------------------------------


def test_anonymous_readers_are_sent_to_the_login_page(client, demo):
    for url in (URL, URL + "chi-so.xlsx", URL + "chi-so.pdf", URL + "nhiem-vu/", URL + "bao-cao-nop/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/"), url


def test_an_editor_without_a_unit_gets_nothing(client, editor):
    client.force_login(editor)
    assert client.get(URL).status_code == 404


# --- the date -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2024", "Ngày chưa đúng"),
        ("2024-06-30", "Ngày chưa đúng"),
        ("hôm qua", "Ngày chưa đúng"),
        ("01/01/1999", "từ năm 2000"),
        ("01/01/2999", "chưa tới"),
    ],
)
def test_a_wrong_date_is_answered_in_vietnamese_not_with_an_error_page(client, demo, alliance_staff, value, message):
    client.force_login(alliance_staff)
    response = client.get(URL, {"ngay": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["card"].on == timezone.localdate()
    assert client.get(URL + "chi-so.xlsx", {"ngay": value}).status_code == 404


def test_a_date_before_the_reform_shows_the_districts_in_force_and_after_it_the_last_ones(client, demo, alliance_staff):
    client.force_login(alliance_staff)
    before = client.get(URL, {"ngay": "30/06/2025"}).context["card"]
    after = client.get(URL, {"ngay": "01/07/2025"})
    assert len(before.rows) == 7 and before.units_ended is None
    assert [r.name for r in after.context["card"].rows] == [r.name for r in before.rows]
    assert after.context["card"].units_ended == date(2025, 6, 30)
    assert "Cấp huyện đã kết thúc ngày 30/06/2025" in after.content.decode()


# --- the percentage in words ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("3.2", "ba phẩy hai phần trăm"),
        ("0", "không phần trăm"),
        ("10", "mười phần trăm"),
        ("15.5", "mười lăm phẩy năm phần trăm"),
        ("21", "hai mươi mốt phần trăm"),
        ("24.1", "hai mươi tư phẩy một phần trăm"),
        ("35", "ba mươi lăm phần trăm"),
        ("100", "một trăm phần trăm"),
        ("11", "mười một phần trăm"),
        ("0.04", "không phần trăm"),
    ],
)
def test_a_percentage_is_written_out_as_it_is_read(value, words):
    assert scorecard.percent_in_words(Decimal(value)) == words
