from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cooperatives.models import Evaluation, EvaluationCriterion, Grade, grade_for
from cooperatives.services import evaluation_record

from .factories import CooperativeFactory


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("0", Grade.WEAK),
        ("49.99", Grade.WEAK),
        ("50", Grade.AVERAGE),
        ("64.99", Grade.AVERAGE),
        ("65", Grade.FAIR),
        ("79.99", Grade.FAIR),
        ("80", Grade.GOOD),
        ("100", Grade.GOOD),
    ],
)
def test_grades_follow_the_thresholds_of_circular_01_2020(score, grade):
    assert grade_for(Decimal(score)) == grade


def _points(total: Decimal) -> dict:
    """Spread `total` over the seeded criteria without exceeding any maximum."""
    points, left = {}, total
    for criterion in EvaluationCriterion.objects.order_by("order"):
        given = min(left, criterion.max_points)
        points[criterion.code] = given
        left -= given
    assert left == 0
    return points


@pytest.fixture
def coop(hong_dan_commune):
    return CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2018, 1, 1))


def test_the_seeded_criteria_are_fifteen_and_total_one_hundred_points(db):
    criteria = EvaluationCriterion.objects.all()
    assert criteria.count() == 15
    assert sum(c.max_points for c in criteria) == 100


@pytest.mark.parametrize(("total", "grade"), [("49.99", "yeu"), ("50", "trung_binh"), ("65", "kha"), ("80", "tot")])
def test_an_evaluation_totals_its_criteria_and_grades_at_the_boundaries(coop, total, grade):
    evaluation = evaluation_record(cooperative=coop, year=2025, points=_points(Decimal(total)))
    evaluation.refresh_from_db()
    assert evaluation.total_score == Decimal(total)
    assert evaluation.grade == grade


def test_a_cooperative_operating_under_twelve_months_is_not_graded(hong_dan_commune):
    young = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2025, 1, 2))
    evaluation = evaluation_record(cooperative=young, year=2025, points=_points(Decimal(90)))
    assert evaluation.grade == Grade.NOT_GRADED
    assert evaluation.not_graded_reason == Evaluation.NotGraded.UNDER_12_MONTHS


def test_a_cooperative_operating_exactly_twelve_months_is_graded(hong_dan_commune):
    year_old = CooperativeFactory(unit=hong_dan_commune, certificate_date=date(2025, 1, 1))
    evaluation = evaluation_record(cooperative=year_old, year=2025, points=_points(Decimal(90)))
    assert evaluation.grade == Grade.GOOD


def test_a_cooperative_suspended_over_three_months_in_the_year_is_not_graded(coop):
    evaluation = evaluation_record(cooperative=coop, year=2025, points=_points(Decimal(90)), months_suspended=4)
    assert evaluation.grade == Grade.NOT_GRADED
    assert evaluation.not_graded_reason == Evaluation.NotGraded.SUSPENDED
    graded = evaluation_record(cooperative=coop, year=2024, points=_points(Decimal(90)), months_suspended=3)
    assert graded.grade == Grade.GOOD


def test_a_criterion_score_above_its_maximum_is_refused_in_vietnamese(coop):
    criterion = EvaluationCriterion.objects.get(code="1")
    with pytest.raises(ValidationError, match="Điểm tối đa"):
        evaluation_record(cooperative=coop, year=2025, points={"1": criterion.max_points + 1})
    assert not Evaluation.objects.filter(cooperative=coop).exists()


def test_recording_an_evaluation_twice_replaces_the_scores(coop):
    evaluation_record(cooperative=coop, year=2025, points=_points(Decimal(40)))
    evaluation = evaluation_record(cooperative=coop, year=2025, points=_points(Decimal(70)))
    assert Evaluation.objects.filter(cooperative=coop).count() == 1
    assert evaluation.scores.count() == len(_points(Decimal(70)))
    assert evaluation.grade == Grade.FAIR
