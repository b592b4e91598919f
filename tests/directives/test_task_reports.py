"""A report request tied to a task: each unit's accepted report completes its assignment, a returned one reopens it."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from directives.models import Reminder, ReportRequest, ReportValue, TaskAssignment
from directives.services import (
    assignment_update_progress,
    digests_send,
    open_items,
    reminders_send,
    report_transition,
)

from .factories import TaskFactory, filled_report, report_request


def _tied(agencies, *, deadline=date(2022, 6, 30), **fields):
    task = TaskFactory(deadline=deadline)
    assignments = [TaskAssignment.objects.create(task=task, agency=agency) for agency in agencies]
    request = report_request(
        agencies,
        title="Báo cáo kết quả thực hiện nhiệm vụ",
        kind="task",
        task=task,
        deadline=date(2022, 7, 10),
        **fields,
    )
    return task, request, assignments


def _accept(report, officer, reviewer):
    report_transition(report=report, action="submit", by=officer)
    return report_transition(report=report, action="accept", by=reviewer)


def _task_reminder_agencies():
    return set(Reminder.objects.filter(key__startswith="task:").values_list("agency_id", flat=True))


def test_an_accepted_tied_report_completes_the_assignment_on_the_acceptance_day(
    hong_dan, officer_hong_dan, alliance_staff
):
    _, request, (item,) = _tied([hong_dan])
    _accept(filled_report(request, hong_dan), officer_hong_dan, alliance_staff)
    item.refresh_from_db()
    today = timezone.localdate()
    assert item.completed_on == today
    assert item.completed_by_report.request == request
    # Accepted after the deadline: completed late, never "in progress, overdue".
    assert item.current_status_label == "Hoàn thành quá hạn"
    reason = item.history.first().history_change_reason
    assert reason == f"Hoàn thành theo báo cáo “{request.title}” được chấp nhận ngày {today:%d/%m/%Y}"


def test_a_submitted_but_not_accepted_report_does_not_complete_the_assignment(hong_dan, officer_hong_dan):
    _, request, (item,) = _tied([hong_dan])
    report_transition(report=filled_report(request, hong_dan), action="submit", by=officer_hong_dan)
    item.refresh_from_db()
    assert item.completed_on is None
    assert item.current_status_label == "Đang thực hiện quá hạn"


def test_an_assignment_its_accepted_report_completed_gets_no_reminder_nor_digest_line(
    hong_dan, dong_hai, officer_hong_dan, officer_dong_hai, alliance_staff, django_capture_on_commit_callbacks
):
    _, request, (done, open_) = _tied([hong_dan, dong_hai])
    _accept(filled_report(request, hong_dan), officer_hong_dan, alliance_staff)
    report_transition(report=filled_report(request, dong_hai), action="submit", by=officer_dong_hai)
    on = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(on=on)
        digests_send(on=on)
    assert _task_reminder_agencies() == {dong_hai.pk}
    assert done.get_absolute_url() not in [row["link"] for row in open_items([hong_dan.pk]).get(hong_dan.pk, [])]
    assert open_.get_absolute_url() in [row["link"] for row in open_items([dong_hai.pk])[dong_hai.pk]]
    to_hong_dan = [m for m in mail.outbox if officer_hong_dan.email in m.to]
    assert not any(done.get_absolute_url() in m.body for m in to_hong_dan)


def test_a_returned_report_reopens_the_assignment_and_it_is_reminded_again(
    hong_dan, officer_hong_dan, alliance_staff, django_capture_on_commit_callbacks
):
    _, request, (item,) = _tied([hong_dan])
    report = filled_report(request, hong_dan)
    on = timezone.localdate()
    reminders_send(on=on)  # overdue before any report: reminded once
    assert Reminder.objects.filter(key__startswith=f"task:{item.pk}:").count() == 1
    _accept(report, officer_hong_dan, alliance_staff)
    report_transition(report=report, action="reopen", by=alliance_staff, comment="Thiếu số liệu đào tạo.")
    item.refresh_from_db()
    assert item.completed_on is None and item.completed_by_report is None
    assert item.reopened_on == on
    assert item.current_status_label == "Đang thực hiện quá hạn"
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=on) >= 1
    keys = list(Reminder.objects.filter(key__startswith=f"task:{item.pk}:").values_list("key", flat=True))
    assert len(keys) == 2 and any("mo-lai" in key for key in keys)
    assert item.get_absolute_url() in [row["link"] for row in open_items([hong_dan.pk])[hong_dan.pk]]


def test_accept_return_accept_completes_on_the_last_acceptance(hong_dan, officer_hong_dan, alliance_staff):
    _, request, (item,) = _tied([hong_dan])
    report = filled_report(request, hong_dan)
    _accept(report, officer_hong_dan, alliance_staff)
    report_transition(report=report, action="reopen", by=alliance_staff, comment="Bổ sung.")
    _accept(report, officer_hong_dan, alliance_staff)
    item.refresh_from_db()
    assert item.completed_on == timezone.localdate()
    assert item.completed_by_report_id == report.pk


def test_the_progress_figure_is_taken_where_the_request_asks_for_one(hong_dan, officer_hong_dan, alliance_staff):
    _, request, (item,) = _tied(
        [hong_dan], indicator_codes=["boards_trained", "task_progress"], progress_code="task_progress"
    )
    report = filled_report(request, hong_dan, task_progress=60)
    _accept(report, officer_hong_dan, alliance_staff)
    item.refresh_from_db()
    assert (item.progress_percent, item.completed_on) == (60, None)
    report_transition(report=report, action="reopen", by=alliance_staff, comment="Cập nhật tiến độ.")
    item.refresh_from_db()
    assert item.progress_percent is None  # a figure counts only while its report is accepted
    ReportValue.objects.filter(report=report, code="task_progress").update(value=100)
    _accept(report, officer_hong_dan, alliance_staff)
    item.refresh_from_db()
    assert (item.progress_percent, item.completed_on) == (100, timezone.localdate())


def test_officers_cannot_type_a_completion_where_a_report_decides_but_staff_can(
    hong_dan, officer_hong_dan, alliance_staff
):
    _, request, (item,) = _tied([hong_dan])
    with pytest.raises(ValidationError):
        assignment_update_progress(assignment=item, completed_on=date(2022, 6, 1), note="Xong", by=officer_hong_dan)
    assignment_update_progress(assignment=item, completed_on=date(2022, 6, 1), note="Xong", by=alliance_staff)
    item.refresh_from_db()
    assert item.completed_on == date(2022, 6, 1) and item.completed_by_report is None


def test_staff_cannot_clear_a_completion_its_report_made(hong_dan, officer_hong_dan, alliance_staff):
    _, request, (item,) = _tied([hong_dan])
    _accept(filled_report(request, hong_dan), officer_hong_dan, alliance_staff)
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        assignment_update_progress(assignment=item, completed_on=None, note="", by=alliance_staff)


def test_manual_progress_stays_for_tasks_without_a_tied_report(hong_dan, officer_hong_dan):
    item = TaskAssignment.objects.create(task=TaskFactory(), agency=hong_dan)
    assignment_update_progress(assignment=item, completed_on=date(2022, 6, 1), note="Xong", by=officer_hong_dan)
    item.refresh_from_db()
    assert item.completed_on == date(2022, 6, 1)
    assert item.current_status_label == "Hoàn thành đúng hạn"


def test_the_demo_shows_the_loop_accepted_returned_and_waiting(directives_demo, hong_dan, dong_hai):
    request = ReportRequest.objects.get(task__isnull=False, kind="task")
    states = set(request.reports.values_list("state", flat=True))
    assert {"accepted", "returned", "submitted"} <= states
    done = TaskAssignment.objects.filter(task=request.task, completed_by_report__isnull=False)
    assert {a.agency_id for a in done} == set(request.reports.filter(state="accepted").values_list("agency", flat=True))
    labels = {a.agency.name: a.current_status_label for a in done.select_related("agency", "task")}
    assert labels[hong_dan.name] == "Hoàn thành quá hạn"  # accepted 06/01/2023, deadline 31/12/2022
    assert labels[dong_hai.name] == "Hoàn thành đúng hạn"  # within its extension to 31/03/2023


def test_the_task_page_lists_each_units_report_with_its_state_and_a_link(directives_demo, client, alliance_staff):
    request = ReportRequest.objects.get(task__isnull=False, kind="task")
    client.force_login(alliance_staff)
    page = client.get(f"/bao-cao/chi-dao/{request.task.document.slug}/").content.decode()
    for report in request.reports.all():
        assert report.get_absolute_url() in page
    assert "Bị trả lại" in page and "Đã chấp nhận" in page


def test_the_assignment_page_lists_the_units_reports_and_the_report_links_back(
    directives_demo, client, officer_hong_dan, hong_dan
):
    request = ReportRequest.objects.get(task__isnull=False, kind="task")
    report = request.reports.get(agency=hong_dan)
    item = TaskAssignment.objects.get(task=request.task, agency=hong_dan)
    client.force_login(officer_hong_dan)
    page = client.get(item.get_absolute_url()).content.decode()
    assert report.get_absolute_url() in page
    assert "Hoàn thành theo báo cáo" in page and "được chấp nhận ngày 06/01/2023" in page
    assert 'name="p-completed_on"' in page and "disabled" in page.split('name="p-completed_on"')[1].split(">")[0]
    assert item.get_absolute_url() in client.get(report.get_absolute_url()).content.decode()
