"""Pilot cooperatives (HTX điểm): investments totalled in the admin and on the dashboard, and the before/after
comparison of the cooperative's yearly figures on its profile."""

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.db.models import Sum
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperatives.models import Cooperative, InvestmentSource, PilotInvestment, YearlyFigure
from cooperatives.pilots import Change, outcomes
from portal.formatting import money
from tests.properties import examples
from tests.security.htmlforms import form_data

from .factories import CooperativeFactory

SOURCES = InvestmentSource.values
YEARS = range(2019, 2025)


def _invest(cooperative, year, source, amount, purpose="Máy sấy lúa"):
    return PilotInvestment.objects.create(
        cooperative=cooperative, year=year, source=source, amount=amount, purpose=purpose
    )


@pytest.fixture
def two_districts(units):
    """A pilot in Huyện Hồng Dân (Xã Ninh Quới) and one in Huyện Đông Hải (Xã Long Điền)."""
    return [
        CooperativeFactory(unit=units["Xã Ninh Quới"], is_pilot=True),
        CooperativeFactory(unit=units["Xã Long Điền"], is_pilot=False),
    ]


# Amounts ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [(1_500_000, "1.500.000 ₫"), (0, "0 ₫"), (Decimal("123456789012345"), "123.456.789.012.345 ₫"), (999, "999 ₫")],
)
def test_amounts_are_written_with_dots_and_the_dong_sign(value, text):
    assert money(value) == text


# The comparison ----------------------------------------------------------------------------------------------------


def _plain_percent(before, after):
    if before == 0:
        return None
    return ((Decimal(after) - Decimal(before)) * 100 / abs(Decimal(before))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@settings(max_examples=examples(300))
@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
@example(0, 5)
@example(100, 100)
@example(-10, 5)
@example(3, 1)
def test_a_change_says_its_direction_and_its_percent_as_a_person_would_work_it_out(before, after):
    change = Change(Decimal(before), Decimal(after))
    expected = _plain_percent(before, after)
    assert change.percent == expected
    if after > before:
        assert change.text.startswith("tăng")
    elif after < before:
        assert change.text.startswith("giảm")
    else:
        assert change.text == "không đổi"
    if expected is not None and after != before:
        digits = change.text.split(" ", 1)[1].rstrip("%")
        assert Decimal(digits.replace(".", "").replace(",", ".")) == abs(expected)


def test_a_change_reads_in_vietnamese():
    assert Change(Decimal(100), Decimal("112.5")).text == "tăng 12,5%"
    assert Change(Decimal(3), Decimal(1)).text == "giảm 66,7%"
    assert Change(Decimal(0), Decimal(5)).text == "tăng (năm gốc bằng 0)"
    assert Change(Decimal(2000), Decimal(2000)).text == "không đổi"


figures_strategy = st.dictionaries(
    st.integers(2015, 2027),
    st.tuples(st.integers(0, 500), st.integers(0, 10**10), st.integers(-(10**9), 10**9)),
    max_size=10,
)


@settings(max_examples=examples(300))
@given(figures_strategy, st.lists(st.integers(2015, 2027), min_size=1, max_size=4))
@example({2020: (10, 100, 5), 2022: (12, 150, -5)}, [2021])  # the year before is missing: the last one before
@example({2022: (10, 100, 5)}, [2022])  # nothing after
@example({2023: (10, 100, 5)}, [2019])  # nothing before
def test_the_comparison_uses_the_last_year_before_and_every_year_after(series, invested_years):
    figures = [
        YearlyFigure(year=y, members_official=m, members_associate=0, revenue=r, profit=p)
        for y, (m, r, p) in series.items()
    ]
    investments = [
        PilotInvestment(pk=n + 1, year=y, source="province", amount=1, purpose="x")
        for n, y in enumerate(invested_years)
    ]

    result = outcomes(investments, figures)

    assert [o.investment.year for o in result] == sorted(invested_years)
    for outcome in result:
        year = outcome.investment.year
        earlier = [y for y in series if y < year]
        later = sorted(y for y in series if y > year)
        assert outcome.base_year == (max(earlier) if earlier else None)
        if not earlier:
            assert outcome.after == []
            continue
        base = series[max(earlier)]
        assert [y for y, _rows in outcome.after] == later
        assert outcome.latest_year == (later[-1] if later else None)
        for y, rows in outcome.after:
            for index, row in enumerate(rows):
                assert (row.change.before, row.change.after) == (base[index], series[y][index])
                assert row.change.percent == _plain_percent(base[index], series[y][index])


def test_the_staff_profile_shows_before_after_and_what_is_missing(client, alliance_staff, two_districts):
    pilot = two_districts[0]
    for year, members, revenue, profit in [(2021, 20, 1_000_000_000, 50_000_000), (2023, 25, 1_300_000_000, 0)]:
        YearlyFigure.objects.create(
            cooperative=pilot, year=year, members_official=members, revenue=revenue, profit=profit
        )
    _invest(pilot, 2022, InvestmentSource.PROVINCE, 1_500_000, purpose="Kho lạnh 10 tấn")
    _invest(pilot, 2024, InvestmentSource.FUND, 2_000_000)
    _invest(pilot, 2018, InvestmentSource.OTHER, 3_000_000)
    client.force_login(alliance_staff)

    html = client.get(f"/hop-tac-xa/quan-ly/{pilot.slug}/").content.decode()

    assert "Năm 2022: 1.500.000 ₫" in html and "Kho lạnh 10 tấn" in html
    assert "Năm 2021 chưa có số liệu" not in html  # 2021 is the year before 2022: it is there
    assert "tăng 25%" in html and "tăng 30%" in html and "giảm 100%" in html
    assert "Chưa có số liệu các năm sau năm 2024" in html
    assert "Chưa có số liệu các năm trước năm 2018" in html


# Admin -------------------------------------------------------------------------------------------------------------


investment_rows = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.sampled_from(list(YEARS)),
        st.sampled_from(SOURCES),
        st.integers(0, 10**13),
    ),
    max_size=12,
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "year": st.sampled_from(list(YEARS)),
        "source__exact": st.sampled_from(SOURCES),
        "district": st.sampled_from(["hong_dan", "dong_hai"]),
    },
)


@settings(max_examples=examples(25))
@given(investment_rows, filters)
@example([(0, 2020, "province", 1_500_000), (1, 2020, "province", 7)], {"district": "hong_dan"})
def test_the_admin_total_is_the_sum_of_the_filtered_rows(client, superuser, units, two_districts, rows, query):
    PilotInvestment.objects.all().delete()
    for which, year, source, amount in rows:
        _invest(two_districts[which], year, source, amount)
    districts = {"hong_dan": units["Huyện Hồng Dân"].pk, "dong_hai": units["Huyện Đông Hải"].pk}
    params = {k: districts[v] if k == "district" else v for k, v in query.items()}
    client.force_login(superuser)

    response = client.get("/admin/cooperatives/pilotinvestment/", params)

    district_of = {0: "hong_dan", 1: "dong_hai"}
    expected = sum(
        amount
        for which, year, source, amount in rows
        if query.get("year", year) == year
        and query.get("source__exact", source) == source
        and query.get("district", district_of[which]) == district_of[which]
    )
    assert response.status_code == 200
    match = re.search(r'id="filtered-total">([^<]*)<', response.content.decode())
    assert match and match.group(1) == money(expected)
    assert (response.context_data["cl"].queryset.aggregate(t=Sum("amount"))["t"] or 0) == expected


def test_the_admin_export_carries_no_formula(client, superuser, two_districts):
    _invest(
        two_districts[0], 2023, InvestmentSource.DISTRICT, 1_500_000, purpose='=HYPERLINK("http://x.invalid","Bấm")'
    )
    PilotInvestment.objects.update(source_detail="@SUM(1,1)", decision_number="+84-1")
    client.force_login(superuser)
    url = "/admin/cooperatives/pilotinvestment/export/"
    fields = form_data(client.get(url).content.decode(), form_id=None)
    titles = [f().get_title() for f in admin.site._registry[PilotInvestment].get_export_formats()]

    response = client.post(url, {**fields, "format": str(titles.index("xlsx"))})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 1500000 in cells  # the amount stays a number
    texts = [c for c in cells if isinstance(c, str)]
    assert texts and not any(c.startswith(("=", "+", "-", "@")) for c in texts)
    assert '\'=HYPERLINK("http://x.invalid","Bấm")' in texts


# Dashboard ---------------------------------------------------------------------------------------------------------


def _links(html, block_id="htx-diem"):
    block = html[html.index(f'id="{block_id}"') :]
    block = block[: block.index("</section>")]
    return re.findall(r'<a(?: id="[^"]*")? href="([^"]+)">(?:<strong>)?([^<]+)<', block)


@pytest.mark.parametrize("who", ["alliance_staff", "officer_hong_dan"])
def test_every_dashboard_figure_equals_the_list_behind_its_link(client, request, who, two_districts):
    user = request.getfixturevalue(who)
    hong_dan, dong_hai = two_districts
    for cooperative, year, source, amount in [
        (hong_dan, 2021, InvestmentSource.PROVINCE, 1_500_000),
        (hong_dan, 2021, InvestmentSource.PROVINCE, 2_000_000),
        (hong_dan, 2023, InvestmentSource.CENTRAL, 7),
        (dong_hai, 2021, InvestmentSource.PROVINCE, 40_000_000),
        (dong_hai, 2024, InvestmentSource.FUND, 900_000_000),
    ]:
        _invest(cooperative, year, source, amount)
    client.force_login(user)

    html = client.get("/hop-tac-xa/quan-ly/").content.decode()
    links = _links(html)

    assert len(links) >= 5
    seen_count = False
    for href, figure in links:
        page = client.get(href.replace("&amp;", "&")).content.decode()
        if href.endswith("/htx-diem/"):
            seen_count = True
            shown = re.search(r'id="list-count">([^<]*)<', page).group(1)
            assert figure.strip() == shown
            continue
        shown = re.search(r'id="list-total">([^<]*)<', page).group(1)
        assert figure.strip() == shown, href
    assert seen_count
    scoped = Cooperative.objects.for_user(user)
    total = PilotInvestment.objects.filter(cooperative__in=scoped).aggregate(t=Sum("amount"))["t"]
    assert money(total) in html
    if who == "officer_hong_dan":
        assert money(900_000_000) not in html  # Đông Hải's money is not in a Hồng Dân officer's figures


# Query counts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, path",
    [
        ("superuser", "/admin/cooperatives/pilotinvestment/"),
        ("alliance_staff", "/hop-tac-xa/quan-ly/htx-diem/"),
        ("alliance_staff", "/hop-tac-xa/quan-ly/htx-diem/dau-tu/?nam=2021"),
        ("officer_hong_dan", "/hop-tac-xa/quan-ly/"),
        ("alliance_staff", "/hop-tac-xa/quan-ly/{slug}/"),
    ],
)
def test_the_pilot_lists_cost_the_same_queries_at_two_sizes(client, request, units, who, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal import staffcache

    client.force_login(request.getfixturevalue(who))
    pilot = CooperativeFactory(unit=units["Xã Ninh Quới"], is_pilot=True)
    url = path.format(slug=pilot.slug)
    spent = []
    for size in (1, 12):
        while PilotInvestment.objects.count() < size:
            n = PilotInvestment.objects.count()
            cooperative = pilot if n % 2 else CooperativeFactory(unit=units["Xã Ninh Quới"])
            _invest(cooperative, 2019 + n % 6 if n else 2021, SOURCES[n % len(SOURCES)], 1_000_000 * (n + 1))
            YearlyFigure.objects.get_or_create(cooperative=pilot, year=2018 + n)
        client.get(url)  # warm the session and caches
        staffcache.bump()  # the page built, not the one kept (portal.staffcache)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        spent.append(len(queries))
    assert spent[0] == spent[1], spent
