from datetime import date
from decimal import Decimal

from cooperatives.models import Congress, Cooperative, YearlyFigure
from directives.indicators import SEMIANNUAL_DEFAULT, prefill_values
from portal.models import AdministrativeUnit


def _coop(unit, n, **fields):
    fields = {"certificate_date": date(2020, 1, 1), **fields}
    return Cooperative.objects.create(name=f"Hợp tác xã {n}", slug=f"htx-{n}", unit=unit, sector="crops", **fields)


def test_indicators_are_prefilled_from_the_registry_of_the_agencys_district_and_its_communes(hong_dan):
    ninh_quoi = AdministrativeUnit.objects.get(code="956-02")
    gah_hao = AdministrativeUnit.objects.get(name="Thị trấn Gành Hào")  # Đông Hải: must not count
    a = _coop(ninh_quoi, 1)
    _coop(hong_dan.unit, 2, status="suspended", status_since=date(2021, 3, 1))
    _coop(ninh_quoi, 3, certificate_date=date(2022, 3, 1))  # new in H1 2022
    _coop(ninh_quoi, 4, status="dissolved", status_since=date(2022, 5, 1))  # dissolved in the period
    _coop(ninh_quoi, 5, status="dissolved", status_since=date(2021, 5, 1))  # dissolved before
    _coop(ninh_quoi, 6, kind="tht")
    _coop(ninh_quoi, 7, certificate_date=date(2022, 8, 1))  # registered after the period: not counted yet
    far = _coop(gah_hao, 8)
    YearlyFigure.objects.create(
        cooperative=a,
        year=2022,
        members_official=10,
        members_associate=2,
        workers=7,
        revenue=Decimal("1500000000"),
        profit=Decimal("120000000"),
    )
    YearlyFigure.objects.create(cooperative=a, year=2021, members_official=99)
    YearlyFigure.objects.create(cooperative=far, year=2022, members_official=50)
    Congress.objects.create(cooperative=a, kind="annual", fiscal_year=2021, held_date=date(2022, 3, 20))
    Congress.objects.create(cooperative=a, kind="annual", fiscal_year=2020, held_date=date(2021, 3, 20))

    values = prefill_values(
        SEMIANNUAL_DEFAULT,
        unit_ids=hong_dan.unit.descendant_ids(),
        period_start=date(2022, 1, 1),
        period_end=date(2022, 6, 30),
    )
    assert values["htx_total"] == 3  # 1, 2 and 3 (4, 5 dissolved; 6 is a THT; 7 later; 8 elsewhere)
    assert values["htx_active"] == 2
    assert values["htx_inactive"] == 1
    assert values["tht_total"] == 1
    assert values["htx_new"] == 1
    assert values["htx_dissolved"] == 1
    assert values["members"] == 12
    assert values["workers"] == 7
    assert values["revenue"] == Decimal("1500000000")
    assert values["profit"] == Decimal("120000000")
    assert values["congresses_held"] == 1
    assert values["boards_trained"] == 0
    assert values["loans_disbursed"] == 0
    assert "loans_outstanding" not in values or values["loans_outstanding"] is None  # the officer enters it


def test_boards_trained_and_loans_disbursed_come_from_the_registry_and_the_fund(hong_dan, alliance_staff):
    from cooperatives.models import Person, Training
    from tests.fund.factories import booked_loan

    ninh_quoi = AdministrativeUnit.objects.get(code="956-02")
    gah_hao = AdministrativeUnit.objects.get(name="Thị trấn Gành Hào")
    near, far = _coop(ninh_quoi, 1), _coop(gah_hao, 2)
    twice = Person.objects.create(cooperative=near, full_name="Lê Văn Học")
    before = Person.objects.create(cooperative=near, full_name="Trần Thị Cũ")
    elsewhere = Person.objects.create(cooperative=far, full_name="Võ Văn Xa")
    for person, day in [(twice, date(2022, 2, 1)), (twice, date(2022, 5, 1)), (before, date(2021, 12, 31)),
                        (elsewhere, date(2022, 3, 1))]:  # fmt: skip
        Training.objects.create(person=person, course="Quản trị HTX", held_on=day, organiser="Liên minh HTX tỉnh")
    booked_loan(by=alliance_staff, cooperative=near, amount=Decimal(300_000_000), on=date(2022, 4, 10))
    booked_loan(by=alliance_staff, cooperative=near, amount=Decimal(50_000_000), on=date(2022, 7, 1))  # after
    booked_loan(by=alliance_staff, cooperative=far, amount=Decimal(70_000_000), on=date(2022, 4, 10))  # elsewhere

    values = prefill_values(
        ["boards_trained", "loans_disbursed"],
        unit_ids=hong_dan.unit.descendant_ids(),
        period_start=date(2022, 1, 1),
        period_end=date(2022, 6, 30),
    )
    assert values == {"boards_trained": 1, "loans_disbursed": Decimal(300_000_000)}


def test_figures_are_left_for_the_officer_when_the_registry_has_none_for_the_year(hong_dan):
    values = prefill_values(
        ["members", "revenue"],
        unit_ids=hong_dan.unit.descendant_ids(),
        period_start=date(2022, 1, 1),
        period_end=date(2022, 6, 30),
    )
    assert values == {"members": None, "revenue": None}


def test_a_new_indicator_registers_with_its_prefill_function(hong_dan):
    from directives import indicators

    indicators.register(indicators.Indicator("test_constant", "Chỉ tiêu thử", "người", lambda ctx: 42))
    try:
        values = indicators.prefill_values(
            ["test_constant"], unit_ids={hong_dan.unit_id}, period_start=date(2022, 1, 1), period_end=date(2022, 6, 30)
        )
        assert values == {"test_constant": Decimal(42)}
    finally:
        indicators.REGISTRY.pop("test_constant")


def test_dissolved_in_the_period_counts_the_ones_gone_in_it_and_is_never_negative(hong_dan):
    ninh_quoi = AdministrativeUnit.objects.get(code="956-02")
    steps = {
        "dissolved, then bankrupt": [("dissolved", date(2021, 5, 1)), ("bankrupt", date(2022, 3, 1))],
        "dissolved, then active again": [("dissolved", date(2021, 5, 1)), ("active", date(2022, 3, 1))],
        "founded and dissolved in the period": [("dissolved", date(2022, 4, 1))],
        "bankrupt in the period": [("bankrupt", date(2022, 2, 1))],
    }
    for n, changes in enumerate(steps.values()):
        coop = _coop(ninh_quoi, n, certificate_date=date(2022, 1, 10) if n == 2 else date(2019, 1, 1))
        for status, since in changes:
            coop.status, coop.status_since = status, since
            coop.save()
    values = prefill_values(
        ["htx_new", "htx_dissolved"],
        unit_ids=hong_dan.unit.descendant_ids(),
        period_start=date(2022, 1, 1),
        period_end=date(2022, 6, 30),
    )
    assert values == {"htx_new": 1, "htx_dissolved": 2}
