"""The demo in two eras, as `manage.py load_demo` makes it: Bạc Liêu's 2022 (Công văn 1047's tasks done by 2023,
overdue only on the days they were) and today's Cà Mau (the departments merged on 01/7/2025, a commune committee
reporting in 2026)."""

from datetime import date

import pytest
from django.urls import reverse

from directives.indicators import prefill_sources, prefill_values
from directives.models import Report, ReportRequest, TaskAssignment
from directives.scorecard import task_rows
from fund.models import Appraisal
from portal.demo import MERGED_DEPARTMENTS, MERGED_INTO
from portal.models import Agency, AgencyChange, User
from portal.unitmap import units_in_today


@pytest.fixture
def whole_demo(whole_demo_for_module, demo):
    return demo


def test_the_tasks_of_2022_were_overdue_in_2022_and_are_done_today(whole_demo):
    of_2022 = TaskAssignment.objects.filter(task__deadline__year=2022).select_related("task")
    assert of_2022.count() >= 20
    assert all(a.completed_on is not None and a.completed_on <= date(2023, 6, 30) for a in of_2022)
    assert not [a for a, status in task_rows(date(2026, 12, 5)) if status == TaskAssignment.Status.OVERDUE]
    overdue_then = [a for a, status in task_rows(date(2022, 7, 31)) if status == TaskAssignment.Status.OVERDUE]
    assert overdue_then and all(a.completed_on > date(2022, 7, 31) for a in overdue_then)
    late = of_2022.filter(completed_on__gt=date(2022, 12, 31), task__order__in=[3, 5], extended_deadline__isnull=True)
    on_time = [a for a in of_2022 if a.status() == TaskAssignment.Status.DONE_ON_TIME]
    assert late.exists() and on_time  # some late, some on time: the history has both


def test_the_departments_merged_in_2025_hand_their_open_work_to_the_successor_and_keep_what_they_closed(
    client, whole_demo
):
    successor = Agency.objects.get(name=MERGED_INTO)
    change = AgencyChange.objects.get(after=successor)
    assert change.effective_on == date(2025, 7, 1) and "202/2025/QH15" in change.legal_source
    assert sorted(change.before.values_list("name", flat=True)) == sorted(MERGED_DEPARTMENTS)
    for name in MERGED_DEPARTMENTS:
        old = Agency.objects.get(name=name)
        assert (old.is_active, old.valid_to, old.successor_id) == (False, date(2025, 6, 30), successor.pk)
        assert not Appraisal.objects.filter(agency=old, recommendation=Appraisal.Recommendation.PENDING).exists()
    agriculture = Agency.objects.get(name=MERGED_DEPARTMENTS[0])
    # The task-3 report it sent and had accepted in 2022 stays its own; the loans still waiting for an opinion moved.
    assert Report.objects.filter(agency=agriculture, state=Report.State.ACCEPTED).exists()
    waiting = Appraisal.objects.filter(agency=successor, recommendation=Appraisal.Recommendation.PENDING)
    assert waiting.count() >= 1
    officer = User.objects.get(username="sonn")
    assert officer.agency_id == successor.pk
    client.force_login(officer)
    page = client.get(reverse("fund:appraisal_list"))
    assert page.status_code == 200
    for appraisal in waiting:
        assert appraisal.loan.code in page.content.decode()
        assert client.get(reverse("fund:appraisal_detail", args=[appraisal.pk])).status_code == 200
    assert change.moves.filter(what="Tài khoản cán bộ", object_id=str(officer.pk)).exists()


def test_the_commune_committee_of_today_reported_its_half_year_on_today_map(client, whole_demo):
    officer = User.objects.get(username="ninhquoi")
    report = Report.objects.get(request__title__contains="6 tháng đầu năm 2026", agency=officer.agency)
    assert report.state == Report.State.ACCEPTED
    assert report.first_submitted_at.date() <= report.request.deadline
    # Its registry figures count the cooperatives of the old communes merged into it: its own new unit has none.
    merged = units_in_today([officer.agency.unit_id]) - {officer.agency.unit_id}
    assert merged
    own_only = prefill_values(
        ["htx_total"],
        unit_ids={officer.agency.unit_id},
        period_start=report.request.period_start,
        period_end=report.request.period_end,
    )["htx_total"]
    assert report.values.get(code="htx_total").prefilled > own_only
    # Where each figure comes from: the registry list of today's commune, which holds the merged communes too.
    sources = prefill_sources(
        ["htx_total"],
        district_id=None,
        commune_id=officer.agency.unit_id,
        period_start=report.request.period_start,
        period_end=report.request.period_end,
    )
    assert f"xa={officer.agency.unit_id}" in sources["htx_total"].url
    client.force_login(User.objects.get(username="lienminh"))
    assert client.get(sources["htx_total"].url).context["count"] == report.values.get(code="htx_total").prefilled
    client.force_login(officer)
    assert client.get(report.get_absolute_url()).status_code == 200
    open_request = ReportRequest.objects.get(title="Báo cáo kinh tế tập thể năm 2026 của UBND cấp xã")
    assert client.get(reverse("directives:workspace")).content.decode().count(open_request.title) >= 1
