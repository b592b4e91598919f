from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperatives import services
from cooperatives.models import Evaluation, EvaluationCriterion, EvaluationScore, Grade, grade_for
from cooperatives.services import evaluation_grade, evaluation_record
from tests.properties import examples

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


def test_grading_through_the_service_totals_the_scores_stored_by_any_writer(coop):
    evaluation = Evaluation.objects.create(cooperative=coop, year=2025, total_score=99, grade=Grade.GOOD)
    for code, points in _points(Decimal("64.5")).items():
        EvaluationScore.objects.create(
            evaluation=evaluation, criterion=EvaluationCriterion.objects.get(code=code), points=points
        )
    evaluation_grade(evaluation=Evaluation.objects.get(pk=evaluation.pk))
    evaluation.refresh_from_db()
    assert (evaluation.total_score, evaluation.grade) == (Decimal("64.5"), Grade.AVERAGE)


def test_the_admin_grades_an_evaluation_through_the_service(client, superuser, coop, monkeypatch):
    graded = []
    grade = services.evaluation_grade
    monkeypatch.setattr(services, "evaluation_grade", lambda **kw: graded.append(kw) or grade(**kw))
    criteria = list(EvaluationCriterion.objects.order_by("order")[:2])
    data = {
        "cooperative": coop.pk,
        "year": "2025",
        "months_suspended": "0",
        "evaluated_on": "",
        "scores-TOTAL_FORMS": "2",
        "scores-INITIAL_FORMS": "0",
        "scores-0-criterion": criteria[0].pk,
        "scores-0-points": str(criteria[0].max_points),
        "scores-1-criterion": criteria[1].pk,
        "scores-1-points": "1.25",
        "plans-TOTAL_FORMS": "0",
        "plans-INITIAL_FORMS": "0",
    }
    client.force_login(superuser)
    response = client.post("/admin/cooperatives/evaluation/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    evaluation = Evaluation.objects.get(cooperative=coop, year=2025)
    assert len(graded) == 1 and graded[0]["evaluation"].pk == evaluation.pk
    assert evaluation.total_score == criteria[0].max_points + Decimal("1.25")
    assert evaluation.grade == grade_for(evaluation.total_score)


@settings(max_examples=examples(40))
@given(
    data=st.data(),
    registered=st.dates(date(2017, 1, 1), date(2026, 12, 31)),
    months_suspended=st.integers(0, 12),
    by_rows=st.booleans(),
)
def test_the_stored_total_and_grade_are_always_those_of_the_stored_scores(
    coop, data, registered, months_suspended, by_rows
):
    """Whichever way the scores are written (the service from {code: points}, or rows saved one by one as the admin's
    inline does, then graded), the evaluation as stored agrees with its stored scores."""
    criteria = list(EvaluationCriterion.objects.filter(is_active=True))
    chosen = data.draw(st.lists(st.sampled_from(criteria), unique=True), label="criteria")
    points = {c.code: data.draw(st.decimals(0, c.max_points, places=2), label=c.code) for c in chosen}
    with transaction.atomic():
        coop.certificate_date = registered
        coop.save()
        if by_rows:
            evaluation = Evaluation.objects.create(cooperative=coop, year=2025, months_suspended=months_suspended)
            for criterion in chosen:
                EvaluationScore.objects.create(
                    evaluation=evaluation, criterion=criterion, points=points[criterion.code]
                )
            evaluation_grade(evaluation=evaluation)
        else:
            evaluation_record(cooperative=coop, year=2025, points=points, months_suspended=months_suspended)
        stored = Evaluation.objects.select_related("cooperative").get(cooperative=coop, year=2025)
        total = sum((s.points for s in EvaluationScore.objects.filter(evaluation=stored)), Decimal(0))
        assert total == sum(points.values(), Decimal(0))
        assert stored.total_score == total
        reason = stored.compute_not_graded_reason()
        assert stored.not_graded_reason == reason
        assert stored.grade == (Grade.NOT_GRADED if reason else grade_for(total))
        transaction.set_rollback(True)
