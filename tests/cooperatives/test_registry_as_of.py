"""A year's figures count the registry as it stood then, and every page that shows one gives the same number.

The surfaces: the home page's table, the public statistics page, the officers' dashboard, the registry report (PDF)
and the figures pre-filled into a report. The home page and the dashboard show the registry "today": the tests set
the clock to the last day of the year asked.
"""

import io
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cooperatives.models import Cooperative, Sector
from cooperatives.selectors import registry_as_of
from directives.indicators import SEMIANNUAL_DEFAULT, prefill_values
from portal.models import AdministrativeUnit
from portal.unitmap import area_today
from tests.properties import examples

from .factories import CooperativeFactory

GONE = {"dissolved", "bankrupt"}


@contextmanager
def today_is(day: date):
    """The portal's calendar on `day` (the home page and the dashboard show the registry 'today'); the clock of
    sessions and logins is left alone."""
    with mock.patch.object(timezone, "localdate", return_value=day):
        yield


def change_status(coop: Cooperative, status: str, since: date | None) -> None:
    """What an officer does in the admin: a new status and the day it took effect (history keeps the old one)."""
    coop.status, coop.status_since = status, since
    coop.save()


def pdf_report(client, year: int) -> dict:
    response = client.get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": year})
    assert response.status_code == 200
    return response.context["report"]


def pdf_text(client, year: int) -> str:
    response = client.get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": year})
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def year_prefill(year: int, unit_ids) -> dict:
    values = prefill_values(
        SEMIANNUAL_DEFAULT, unit_ids=unit_ids, period_start=date(year, 1, 1), period_end=date(year, 12, 31)
    )
    return {code: int(value) for code, value in values.items() if value is not None}


# --- the three cases the rule is about ---------------------------------------------------------------------------


@pytest.fixture
def hong_dan_ids(units):
    return units["Huyện Hồng Dân"].descendant_ids()


def test_a_cooperative_registered_in_2023_is_not_counted_in_2022(client, alliance_staff, hong_dan_commune):
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2020, 4, 1))
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2023, 2, 1))
    client.force_login(alliance_staff)
    assert registry_as_of(date(2022, 12, 31)).total == 1
    assert pdf_report(client, 2022)["totals"]["htx"] == 1
    assert pdf_report(client, 2023)["totals"]["htx"] == 2
    assert year_prefill(2022, [hong_dan_commune.pk])["htx_total"] == 1
    with today_is(date(2022, 12, 31)):
        home = client.get("/")
        assert home.context["coop_totals"] == {"htx": 1, "tht": 0}
        assert "Số liệu đến ngày 31/12/2022 (chưa giải thể, phá sản), theo huyện" in home.content.decode()
        assert client.get("/hop-tac-xa/quan-ly/").context["counts"]["total"] == 1


def test_a_cooperative_dissolved_in_2021_is_not_counted_in_2022(client, alliance_staff, hong_dan_commune):
    CooperativeFactory(unit=hong_dan_commune)
    gone = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2016, 1, 5))
    change_status(gone, "dissolved", date(2021, 9, 30))
    client.force_login(alliance_staff)
    assert pdf_report(client, 2020)["totals"]["htx"] == 2
    assert pdf_report(client, 2022)["totals"]["htx"] == 1
    prefill = year_prefill(2022, [hong_dan_commune.pk])
    assert prefill["htx_total"] == 1 and prefill["htx_dissolved"] == 0
    assert year_prefill(2021, [hong_dan_commune.pk])["htx_dissolved"] == 1
    with today_is(date(2022, 12, 31)):
        assert client.get("/").context["coop_totals"]["htx"] == 1
        assert client.get("/hop-tac-xa/thong-ke/").context["counts"]["total"] == 1


def test_a_cooperative_whose_status_changed_in_2023_counts_with_its_2022_status(
    client, alliance_staff, hong_dan_commune
):
    coop = CooperativeFactory(unit=hong_dan_commune)
    change_status(coop, "suspended", date(2023, 3, 1))
    client.force_login(alliance_staff)
    report = pdf_report(client, 2022)
    assert report["totals"]["htx"] == 1 and report["totals"]["active"] == 1
    assert pdf_report(client, 2023)["totals"]["active"] == 0
    prefill = year_prefill(2022, [hong_dan_commune.pk])
    assert prefill["htx_active"] == 1 and prefill["htx_inactive"] == 0
    with today_is(date(2022, 12, 31)):
        counts = client.get("/hop-tac-xa/quan-ly/").context["counts"]
    assert counts["by_status"] == [("Đang hoạt động", 1)]
    # Dissolved in 2024: 2022 still counts it, as active.
    change_status(coop, "dissolved", date(2024, 6, 1))
    assert year_prefill(2022, [hong_dan_commune.pk])["htx_active"] == 1
    assert year_prefill(2024, [hong_dan_commune.pk])["htx_total"] == 0


def test_a_backdated_dissolution_reaches_back_and_a_correction_wins_over_what_it_corrects(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune)
    change_status(coop, "suspended", date(2023, 1, 1))
    change_status(coop, "dissolved", date(2022, 6, 1))  # found later to have been dissolved before
    assert registry_as_of(date(2022, 12, 31)).count(statuses=["dissolved"]) == 1
    assert registry_as_of(date(2022, 5, 31)).count(statuses=["active"]) == 1
    change_status(coop, "active", date(2022, 6, 1))  # the dissolution was entered on the wrong cooperative
    assert registry_as_of(date(2022, 12, 31)).count(statuses=["active"]) == 1


def test_a_status_saved_without_its_date_leaves_the_earlier_years_alone(client, alliance_staff, hong_dan_commune):
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2015, 1, 1))
    gone = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2015, 1, 1))
    change_status(gone, "dissolved", None)  # saved before the rule asked for the date, or by a bulk write
    today = timezone.localdate()
    assert registry_as_of(date(2022, 12, 31)).total == 2
    assert year_prefill(2022, [hong_dan_commune.pk])["htx_total"] == 2
    assert registry_as_of(today).total == 1
    assert registry_as_of(today - timedelta(days=1)).total == 2
    client.force_login(alliance_staff)
    assert pdf_report(client, 2022)["totals"]["htx"] == 2


def test_a_status_other_than_active_needs_its_date(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune)
    coop.status = "dissolved"
    with pytest.raises(ValidationError) as refused:
        coop.full_clean()
    assert refused.value.message_dict["status_since"] == ["Hãy ghi ngày bắt đầu của tình trạng “Đã giải thể”."]
    coop.status_since = date(2024, 5, 1)
    coop.full_clean()


def test_a_row_without_history_counts_by_its_own_status_and_date(hong_dan_commune):
    # The scale seeder and bulk writes leave no history: the row alone says what it can.
    Cooperative.objects.bulk_create(
        [
            Cooperative(
                name="Hợp tác xã Không Lịch Sử",
                slug="htx-khong-lich-su",
                unit=hong_dan_commune,
                sector=Sector.CROPS,
                certificate_date=date(2015, 1, 1),
                status="dissolved",
                status_since=date(2023, 5, 1),
            )
        ]
    )
    assert registry_as_of(date(2022, 12, 31)).count(statuses=["active"]) == 1
    assert registry_as_of(date(2023, 12, 31)).total == 0


def test_the_registry_pdf_prints_the_figures_of_its_year(client, alliance_staff, hong_dan_commune, dong_hai_commune):
    CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2019, 1, 1))
    CooperativeFactory(unit=dong_hai_commune, certificate_date=date(2023, 1, 1))
    gone = CooperativeFactory(unit=dong_hai_commune, certificate_date=date(2018, 1, 1))
    change_status(gone, "dissolved", date(2021, 1, 1))
    client.force_login(alliance_staff)
    text = pdf_text(client, 2022)
    assert "Số đơn vị đã đăng ký đến ngày 31/12/2022" in text
    lines = [line for line in text.splitlines() if line.startswith(("Huyện Hồng Dân", "Huyện Đông Hải"))]
    assert lines == ["Huyện Hồng Dân 1 0 0 1 — — — —"]  # Đông Hải: one dissolved, one not yet registered


# --- the invariant over random registries ------------------------------------------------------------------------

UNITS = ["Xã Ninh Quới", "Huyện Hồng Dân", "Xã Long Điền", "Phường Hộ Phòng"]
YEARS = range(2017, 2027)
STATUSES = list(Cooperative.Status.values)


@dataclass
class Plan:
    unit: str
    kind: str
    sector: str
    registered: date | None
    # In the order they are saved; a change without a date holds from the day it is saved.
    changes: list[tuple[date | None, str]] = field(default_factory=list)
    without_history: bool = False

    def status_on(self, day: date) -> str:
        """Brute force: of the versions saved (created active, then each change), the last one saved that holds by
        `day`; active before any. A row written without history has only its own status and date."""
        if self.without_history:
            on, status = self.changes[-1] if self.changes else (None, "active")
            return status if on is None or on <= day else "active"
        saved_on = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        status = "active"
        for on, new in [(None, "active"), *self.changes]:
            if (on or saved_on) <= day:
                status = new
        return status

    def registered_by(self, day: date) -> bool:
        return self.registered is None or self.registered <= day


days = st.dates(date(2016, 1, 1), date(2026, 12, 31))
plans = st.builds(
    Plan,
    unit=st.sampled_from(UNITS),
    kind=st.sampled_from(Cooperative.Kind.values),
    sector=st.sampled_from([Sector.CROPS, Sector.SALT, Sector.TRADE]),
    registered=st.one_of(st.none(), days),
    changes=st.lists(st.tuples(st.one_of(st.none(), days), st.sampled_from(STATUSES)), max_size=3),
    without_history=st.booleans(),
)


def build(plans_: list[Plan], units) -> None:
    for n, plan in enumerate(plans_):
        fields = dict(
            name=f"Hợp tác xã Ngẫu Nhiên {n}",
            slug=f"htx-ngau-nhien-{n}",
            registration_code=f"1999{n:06d}",
            unit=units[plan.unit],
            kind=plan.kind,
            sector=plan.sector,
            certificate_date=plan.registered,
        )
        if plan.without_history:
            plan.changes = plan.changes[-1:]
            status, since = plan.changes[0][::-1] if plan.changes else ("active", None)
            Cooperative.objects.bulk_create([Cooperative(status=status, status_since=since, **fields)])
            continue
        coop = Cooperative.objects.create(**fields)
        for on, status in plan.changes:
            change_status(coop, status, on)


def expected(plans_: list[Plan], year: int, district_of) -> dict:
    end, eve = date(year, 12, 31), date(year - 1, 12, 31)
    existing = Counter()
    kinds = Counter()
    for plan in plans_:
        if plan.registered_by(end) and plan.status_on(end) not in GONE:
            kinds[plan.kind] += 1
            existing[(district_of[plan.unit], plan.kind != "tht")] += 1
            if plan.status_on(end) == "active":
                kinds["active"] += 1
                if plan.kind == "htx":
                    kinds["htx_active"] += 1
            elif plan.kind == "htx":
                kinds["htx_inactive"] += 1
        if plan.kind == "htx" and plan.registered and eve < plan.registered <= end:
            kinds["htx_new"] += 1
        # Gone in the year: on the books at its end, gone then and not on its eve.
        if plan.kind == "htx" and plan.registered_by(end) and plan.status_on(end) in GONE:
            if plan.status_on(eve) not in GONE:
                kinds["htx_dissolved"] += 1
    return {"kinds": kinds, "existing": existing}


@pytest.mark.property
def test_every_page_gives_the_brute_force_count_of_the_registry_as_it_stood(client, alliance_staff, units):
    district_of = {name: (units[name].parent if units[name].level == "commune" else units[name]).name for name in UNITS}
    every_unit = list(AdministrativeUnit.objects.values_list("pk", flat=True))

    @settings(max_examples=examples(20))
    @given(registry=st.lists(plans, max_size=6), year=st.sampled_from(YEARS))
    @example(
        registry=[Plan("Xã Ninh Quới", "htx", Sector.CROPS, date(2016, 1, 1), [(date(2023, 1, 1), "suspended")])],
        year=2022,
    )
    @example(
        registry=[
            Plan("Xã Long Điền", "union", Sector.SALT, None, [(date(2020, 1, 1), "dissolved")], without_history=True)
        ],
        year=2019,
    )
    @example(
        registry=[Plan("Xã Ninh Quới", "htx", Sector.CROPS, date(2016, 1, 1), [(None, "dissolved")])],
        year=2022,
    )
    @example(
        registry=[
            Plan(
                "Xã Ninh Quới",
                "htx",
                Sector.CROPS,
                None,
                [(date(2021, 5, 1), "dissolved"), (date(2022, 3, 1), "bankrupt")],
            ),
            Plan(
                "Xã Long Điền",
                "htx",
                Sector.TRADE,
                None,
                [(date(2021, 5, 1), "dissolved"), (date(2022, 3, 1), "active")],
            ),
        ],
        year=2022,
    )
    def check(registry, year):
        # The examples roll back, so no content version is ever bumped between them: without this, an example could
        # be answered the page an earlier one cached (right figures, but no context to read).
        cache.clear()
        with transaction.atomic():
            client.force_login(alliance_staff)
            build(registry, units)
            want = expected(registry, year, district_of)
            kinds, existing = want["kinds"], want["existing"]
            htx_and_unions = kinds["htx"] + kinds["union"]

            # The selector against the brute force.
            on = registry_as_of(date(year, 12, 31))
            assert on.count(kinds=["htx"]) == kinds["htx"]
            assert on.count(kinds=["union"]) == kinds["union"]
            assert on.count(kinds=["tht"]) == kinds["tht"]

            # The figures pre-filled into a report for the year.
            prefill = year_prefill(year, every_unit)
            assert prefill["htx_total"] == kinds["htx"]
            assert prefill["unions_total"] == kinds["union"]
            assert prefill["tht_total"] == kinds["tht"]
            assert prefill["htx_active"] == kinds["htx_active"]
            assert prefill["htx_inactive"] == kinds["htx_inactive"]
            assert prefill["htx_new"] == kinds["htx_new"]
            assert prefill["htx_dissolved"] == kinds["htx_dissolved"]

            # The registry report (PDF) of the year.
            report = pdf_report(client, year)
            assert [report["totals"][k] for k in ("htx", "union", "tht", "active")] == [
                kinds["htx"],
                kinds["union"],
                kinds["tht"],
                kinds["active"],
            ]
            pdf_rows = {r["label"]: (r.get("htx", 0) + r.get("union", 0), r.get("tht", 0)) for r in report["districts"]}

            # The home page, the statistics page and the dashboard on the last day of the year.
            with today_is(date(year, 12, 31)):
                home = client.get("/").context
                statistics = client.get("/hop-tac-xa/thong-ke/", {"ban_do": "truoc-2025"}).context["counts"]
                today_map = client.get("/hop-tac-xa/thong-ke/").context["counts"]
                # "today's map" on the portal's calendar: the commune of that day (before 01/7/2025, the unit itself)
                area_of = {name: area_today(units[name].pk).name for name in UNITS}
                dashboard = client.get("/hop-tac-xa/quan-ly/").context["counts"]
            assert home["coop_totals"] == {"htx": htx_and_unions, "tht": kinds["tht"]}
            home_rows = {r["district"]: (r["htx"], r["tht"]) for r in home["coop_counts"]}
            brute_rows = {}
            for (district, is_htx), n in existing.items():
                htx, tht = brute_rows.get(district, (0, 0))
                brute_rows[district] = (htx + n, tht) if is_htx else (htx, tht + n)
            assert home_rows == brute_rows
            assert {k: v for k, v in pdf_rows.items() if v != (0, 0)} == brute_rows
            for counts in (statistics, dashboard):
                assert counts["total"] == htx_and_unions + kinds["tht"]
                assert dict(counts["by_unit"]) == {d: h + t for d, (h, t) in brute_rows.items()}
                by_kind = dict(counts["by_kind"])
                assert [by_kind.get(label, 0) for _, label in Cooperative.Kind.choices] == [
                    kinds[value] for value in Cooperative.Kind.values
                ]
            # The statistics page on today's map: the same total, each unit counted in its commune of today.
            assert today_map["total"] == statistics["total"]
            by_area = Counter()
            for (area, _is_htx), n in expected(registry, year, area_of)["existing"].items():
                by_area[area] += n
            assert dict(today_map["by_unit"]) == dict(by_area)
            transaction.set_rollback(True)

    check()


def test_days_before_the_first_dated_status_count_as_active(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2010, 1, 1))
    change_status(coop, "inactive", date(2020, 2, 2))
    assert registry_as_of(date(2020, 2, 1)).count(statuses=["active"]) == 1
    assert registry_as_of(date(2020, 2, 2)).count(statuses=["inactive"]) == 1
    assert registry_as_of(date(2020, 2, 2) + timedelta(days=400)).count(statuses=["inactive"]) == 1


def test_a_cooperative_registered_in_a_commune_of_today_has_its_own_row_on_the_district_table(demo):
    """Since 01/7/2025 a commune lies directly under the province: on the table by district it is counted on a row
    that says so, last, not under the province's name; on today's map, in its commune."""
    from cooperatives.selectors import SINCE_DISTRICTS_LABEL

    commune = AdministrativeUnit.objects.get(code="31849")  # Xã Ninh Quới, Tỉnh Cà Mau
    old = AdministrativeUnit.objects.get(code="956-03")  # Xã Ninh Quới A, Huyện Hồng Dân (until 30/6/2025)
    CooperativeFactory(unit=commune, certificate_date=date(2026, 3, 2))
    CooperativeFactory(unit=old, certificate_date=date(2019, 5, 6))
    then = registry_as_of(date(2026, 6, 30))
    assert then.by_district() == [("Huyện Hồng Dân", 1), (SINCE_DISTRICTS_LABEL, 1)]
    today = registry_as_of(date(2026, 6, 30), today_map=True)
    assert today.by_district() == [("Xã Ninh Quới", 2)]


def test_the_home_table_counts_a_record_at_the_province_and_one_in_a_commune_of_today_once_each(demo):
    """Both lie under the province's id (no district is theirs), on rows of their own: neither is counted twice."""
    from cooperatives.selectors import SINCE_DISTRICTS_LABEL
    from public.selectors import home_data

    province = AdministrativeUnit.objects.get(code="96")
    CooperativeFactory(unit=AdministrativeUnit.objects.get(code="31849"), certificate_date=date(2026, 3, 2))
    CooperativeFactory(unit=province, certificate_date=date(2026, 4, 2))
    rows = {row["district"]: row["htx"] for row in home_data(use_cache=False)["coop_counts"]}
    assert rows == {province.name: 1, SINCE_DISTRICTS_LABEL: 1}
    assert home_data(use_cache=False)["coop_totals"]["htx"] == 2
