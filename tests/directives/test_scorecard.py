"""The district scorecard: every figure is the count of the list its link opens, for every district and the province;
officers see the whole table with their row marked and open only their own lists; the date is validated; the
exports carry the page's figures; the page costs the same number of queries whatever the data size."""

import io
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

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
    # Today (the fund's loans), the end of 2022 (the demo's report requests, the districts in force) and a day in
    # 2022 when tasks were overdue (the demo's tasks of 2022 were all done by 2023).
    for day in (None, date(2022, 12, 31), date(2022, 7, 31)):
        response = client.get(URL, {"ngay": day.strftime("%d/%m/%Y")} if day else {})
        assert response.status_code == 200
        card = response.context["card"]
        assert len(card.rows) == 7  # the districts of 2022
        assert _assert_links_match(client, card) == 8 * 16
        seen |= {key for key, figure in card.total.figures.items() if figure.value}
        for key, _label, _base in scorecard.COOPERATIVE_COLUMNS:
            # Every demo cooperative lies in a district, but those registered since 01/7/2025 in a commune of
            # today: no district is theirs, they count in the province's total only.
            since = _in_todays_communes(key, card.on)
            assert card.total.figures[key].value == sum(row.figures[key].value for row in card.rows) + since, key
            assert since == 0 or day is None
    # The demo is not empty in any column that matters: a comparison of zeros proves nothing.
    assert set(NONZERO) <= seen, set(NONZERO) - seen


def _in_todays_communes(condition: str, on: date) -> int:
    """Cooperatives registered in a commune of today (one directly under the province) meeting `condition` on `on`."""
    from cooperatives.selectors import scorecard_filter

    qs = Cooperative.objects.filter(unit__level="commune", unit__parent__level="province")
    return scorecard_filter(qs, condition, on=on).count()


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


def test_an_officer_sees_every_district_with_their_own_marked_and_links_only_in_their_row(
    client, full_demo, officer_hong_dan
):
    client.force_login(officer_hong_dan)
    response = client.get(URL, {"ngay": "31/12/2022"})
    assert response.status_code == 200
    card = response.context["card"]
    assert len(card.rows) == 7
    own = [row for row in card.rows if row.own]
    assert [row.name for row in own] == ["Huyện Hồng Dân"]
    html = response.content.decode()
    assert html.count('class="sc-own"') == 1 and "Đơn vị của bạn" in html
    for row in card.rows:
        urls = [figure.url for figure in row.figures.values() if figure.url]
        assert bool(urls) == row.own, row.name
    assert not any(figure.url for figure in card.total.figures.values())
    # The officer's own lists open and agree with the figures (the loan book is not theirs: no link to it).
    for key, figure in own[0].figures.items():
        if figure.url:
            assert _count(client, figure.url) == figure.value, key
    assert own[0].figures["arrears"].url == ""


def test_an_officer_cannot_open_the_lists_of_another_district(client, full_demo, officer_hong_dan):
    client.force_login(officer_hong_dan)
    dong_hai = AdministrativeUnit.objects.get(name="Huyện Đông Hải")
    for view in ("scorecard_reports", "scorecard_tasks"):
        assert client.get(reverse(f"directives:{view}"), {"don_vi": dong_hai.pk}).status_code == 404
        assert client.get(reverse(f"directives:{view}")).status_code == 404  # the whole province
    # The registry list is the officer's own registry: another district's cooperatives are not in it.
    listed = client.get(reverse("cooperatives:registry_list"), {"unit": dong_hai.pk, "chi_so": "active"})
    assert listed.context["count"] == 0
    assert Cooperative.objects.filter(unit__in=[dong_hai, *dong_hai.children.all()]).exists()


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


# --- queries --------------------------------------------------------------------------------------------------------


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"ngay": "31/12/2022"}).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_whatever_the_number_of_districts_and_cooperatives(
    client, full_demo, alliance_staff
):
    client.force_login(alliance_staff)
    _queries(client)  # warm the caches (scope, site settings)
    small = _queries(client)
    province = AdministrativeUnit.objects.get(level="province", code="95")
    for n in range(5):
        extra = AdministrativeUnit.objects.create(
            code=f"95-x{n}", name=f"Huyện Thử {n}", level="district", parent=province, valid_from=date(2004, 1, 1)
        )
        for i in range(4):
            Cooperative.objects.create(
                name=f"HTX thử {n}-{i}",
                slug=f"htx-thu-{n}-{i}",
                unit=extra,
                sector=Sector.CROPS,
                certificate_date=date(2020, 1, 1),
            )
    _queries(client)
    large = _queries(client)
    assert len(client.get(URL, {"ngay": "31/12/2022"}).context["card"].rows) == 12
    assert large == small, (small, large)


# --- exports --------------------------------------------------------------------------------------------------------


def test_the_spreadsheet_carries_the_page_figures_as_numbers_and_no_formula(client, full_demo, alliance_staff):
    client.force_login(alliance_staff)
    AdministrativeUnit.objects.filter(name="Huyện Hồng Dân").update(name='=HYPERLINK("http://x")')
    card = client.get(URL).context["card"]
    response = client.get(URL + "chi-so.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    expected = [scorecard.flat(row) for row in [*card.rows, card.total]]
    assert len(rows) == len(expected) == 8
    for got, want in zip(rows, expected, strict=True):
        assert got[1:] == want[1:]
        assert all(isinstance(v, int) for v in got[1:19])
    names = [r[0] for r in rows]
    assert '\'=HYPERLINK("http://x")' in names
    assert sum(r[1] for r in rows[:-1]) + _in_todays_communes("active", card.on) == rows[-1][1]
    assert rows[-1][19] == float(card.total.arrears.percent) and rows[-1][19] > 0


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_the_pdf_has_the_figures_and_diacritics_of_the_page(client, full_demo, alliance_staff, tmp_path):
    client.force_login(alliance_staff)
    card = client.get(URL).context["card"]
    response = client.get(URL + "chi-so.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "chi-so.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    assert "Bảng chỉ số theo địa bàn" in text and "Toàn tỉnh" in text
    for row in [*card.rows, card.total]:
        assert row.name in text
        assert f"{row.arrears_text} ({row.arrears_words})" in text if row.arrears_text else "không có dư nợ" in text
        f = row.figures
        cells = [row.name, f["active"].value, f["weak"].value, f"{f['new'].value}/{row.target}"]
        cells += [f"{f[k].value}/{f[k].of}" for k in ("congress_held", "board", "trained", "accounts", "reports")]
        cells += [f["tasks_done"].value, f["tasks_overdue"].value]
        assert "".join(map(str, cells)).replace(" ", "") in text.replace(" ", ""), row.name
    assert card.total.arrears_words.startswith("ba mươi")  # diacritics survive: the demo's PAR30 is 35,2 %


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


def test_the_registry_dashboard_the_reports_pages_and_the_workspace_link_to_the_scorecard(
    client, full_demo, alliance_staff, officer_hong_dan
):
    client.force_login(alliance_staff)
    for url in ("/hop-tac-xa/quan-ly/", "/bao-cao/", "/bao-cao/tong-hop/"):
        assert f'href="{URL}"' in client.get(url).content.decode(), url
    client.force_login(officer_hong_dan)
    assert f'href="{URL}"' in client.get("/bao-cao/").content.decode()
