"""The district scorecard on every app's demo (`load_demo`, once for the module: tests/conftest.py's
`whole_demo_for_module`): every figure is the count of the list its link opens; an officer sees their row marked and
opens only their own lists; the exports carry the page's figures; the page costs the same queries whatever the data
size. The scorecard's tests on data of their own are in test_scorecard.py."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cooperatives.models import Cooperative, Sector
from directives import scorecard
from portal.models import AdministrativeUnit
from tests.directives.test_scorecard import URL, _count


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


def _in_todays_communes(condition: str, on: date) -> int:
    """Cooperatives registered in a commune of today (one directly under the province) meeting `condition` on `on`."""
    from cooperatives.selectors import scorecard_filter

    qs = Cooperative.objects.filter(unit__level="commune", unit__parent__level="province")
    return scorecard_filter(qs, condition, on=on).count()


def test_every_figure_of_every_district_equals_the_count_of_the_list_its_link_opens(client, every_demo, alliance_staff):
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


def test_an_officer_sees_every_district_with_their_own_marked_and_links_only_in_their_row(
    client, every_demo, officer_hong_dan
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


def test_an_officer_cannot_open_the_lists_of_another_district(client, every_demo, officer_hong_dan):
    client.force_login(officer_hong_dan)
    dong_hai = AdministrativeUnit.objects.get(name="Huyện Đông Hải")
    for view in ("scorecard_reports", "scorecard_tasks"):
        assert client.get(reverse(f"directives:{view}"), {"don_vi": dong_hai.pk}).status_code == 404
        assert client.get(reverse(f"directives:{view}")).status_code == 404  # the whole province
    # The registry list is the officer's own registry: another district's cooperatives are not in it.
    listed = client.get(reverse("cooperatives:registry_list"), {"unit": dong_hai.pk, "chi_so": "active"})
    assert listed.context["count"] == 0
    assert Cooperative.objects.filter(unit__in=[dong_hai, *dong_hai.children.all()]).exists()


def a_cooperative(tag: str, unit) -> Cooperative:
    """An active cooperative registered in 2020 in `unit`, for the tests that grow the data."""
    return Cooperative.objects.create(
        name=f"HTX thử {tag}", slug=f"htx-thu-{tag}", unit=unit, sector=Sector.CROPS, certificate_date=date(2020, 1, 1)
    )


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"ngay": "31/12/2022"}).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_whatever_the_number_of_districts_and_cooperatives(
    client, every_demo, alliance_staff
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
            a_cooperative(f"{n}-{i}", extra)
    _queries(client)
    large = _queries(client)
    assert len(client.get(URL, {"ngay": "31/12/2022"}).context["card"].rows) == 12
    assert large == small, (small, large)


def test_the_spreadsheet_carries_the_page_figures_as_numbers_and_no_formula(client, every_demo, alliance_staff):
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
def test_the_pdf_has_the_figures_and_diacritics_of_the_page(client, every_demo, alliance_staff, tmp_path):
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


def test_the_registry_dashboard_the_reports_pages_and_the_workspace_link_to_the_scorecard(
    client, every_demo, alliance_staff, officer_hong_dan
):
    client.force_login(alliance_staff)
    for url in ("/hop-tac-xa/quan-ly/", "/bao-cao/", "/bao-cao/tong-hop/"):
        assert f'href="{URL}"' in client.get(url).content.decode(), url
    client.force_login(officer_hong_dan)
    assert f'href="{URL}"' in client.get("/bao-cao/").content.decode()
