from decimal import Decimal
from io import StringIO

import pytest

from cooperatives.models import Cooperative, Evaluation, ImprovementPlan, SizeClass, SizeThreshold, YearlyFigure
from cooperatives.selectors import board_expired_q

BN = Decimal(1_000_000_000)


@pytest.mark.parametrize(
    ("members", "revenue", "assets", "size"),
    [
        (300, 50 * BN, 0, SizeClass.LARGE),
        (300, 0, 10 * BN, SizeClass.LARGE),
        (299, 50 * BN, 10 * BN, SizeClass.MEDIUM),
        (200, 10 * BN, 0, SizeClass.MEDIUM),
        (200, 10 * BN - 1, 5 * BN - 1, SizeClass.SMALL),
        (50, 2 * BN, 0, SizeClass.SMALL),
        (50, 0, 1 * BN, SizeClass.SMALL),
        (49, 60 * BN, 20 * BN, SizeClass.MICRO),
        (500, 1 * BN, BN / 2, SizeClass.MICRO),
    ],
)
def test_agricultural_size_follows_decree_113_2024(db, members, revenue, assets, size):
    figure = YearlyFigure(members_official=members, revenue=revenue, assets=assets)
    assert SizeThreshold.classify("crops", figure) == size


def test_a_sector_without_threshold_rows_has_no_size_until_staff_enter_them(db):
    figure = YearlyFigure(members_official=500, revenue=100 * BN, assets=100 * BN)
    assert SizeThreshold.classify("trade", figure) is None
    SizeThreshold.objects.create(
        sector_group="trade", size_class="large", min_members=100, min_revenue=BN, min_capital=BN
    )
    assert SizeThreshold.classify("trade", figure) == SizeClass.LARGE


def test_the_demo_registry_is_plausible_and_loads_once(demo):
    from cooperatives import demo as registry_demo

    registry_demo.load(StringIO())
    counts = (Cooperative.objects.count(), YearlyFigure.objects.count(), Evaluation.objects.count())
    assert 55 <= Cooperative.objects.exclude(kind="tht").count() <= 65
    assert 25 <= Cooperative.objects.filter(kind="tht").count() <= 35
    assert (
        Evaluation.objects.filter(grade="yeu").exists()
        and ImprovementPlan.objects.filter(progress__isnull=False).exists()
    )
    assert Cooperative.objects.annual_congress_overdue(registry_demo.TODAY).exists()
    assert set(YearlyFigure.objects.values_list("year", flat=True)) >= {2020, 2021, 2022, 2025}
    # a status other than active carries its date, as the registry's own form demands
    assert not Cooperative.objects.exclude(status=Cooperative.Status.ACTIVE).filter(status_since__isnull=True).exists()
    # every legal representative is one of the board's people; a plausible minority of boards is out of term
    htx = Cooperative.objects.exclude(kind="tht")
    assert not [c.name for c in htx if c.legal_representative_error(c.board_names()) or not c.board_names()]
    expired = htx.filter(board_expired_q(registry_demo.TODAY)).count()
    assert 3 <= expired <= htx.count() // 5, expired
    registry_demo.load(StringIO())
    assert (Cooperative.objects.count(), YearlyFigure.objects.count(), Evaluation.objects.count()) == counts
