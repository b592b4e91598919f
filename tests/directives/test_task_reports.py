"""A report request tied to a task: each unit's accepted report completes its assignment, a returned one reopens it."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from directives.models import Reminder, Report, ReportRequest, ReportValue, TaskAssignment
from directives.services import (
    assignment_update_progress,
    digests_send,
    open_items,
    reminders_send,
    report_transition,
)
from tests.properties import EachExampleRolledBack, examples

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
    assert reason == f"Hoàn thành theo báo cáo số {item.completed_by_report_id} được chấp nhận ngày {today:%d/%m/%Y}"


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


def test_no_sequence_of_submissions_reviews_and_manual_progress_breaks_the_link(
    db, hong_dan, dong_hai, officer_hong_dan, officer_dong_hai, alliance_staff
):
    """Two units, a task tied to a plain request, one tied to a request asking a progress figure, one untied: after
    every step, each assignment is done exactly when an accepted tied report (saying 100% where a figure is asked)
    or a manual completion says so, and no reminder nor digest line goes out for a done assignment."""
    agencies = [(hong_dan, officer_hong_dan), (dong_hai, officer_dong_hai)]
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)

    class Loop(EachExampleRolledBack, RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            deadline = today - timedelta(days=30)
            self.tasks = {1: TaskFactory(deadline=deadline), 2: TaskFactory(deadline=deadline), 3: TaskFactory()}
            units = [agency for agency, _ in agencies]
            self.requests = {
                1: report_request(units, kind="task", task=self.tasks[1], deadline=deadline),
                2: report_request(
                    units,
                    kind="task",
                    task=self.tasks[2],
                    deadline=deadline,
                    indicator_codes=["task_progress"],
                    progress_code="task_progress",
                ),
            }
            self.items = {
                (a, t): TaskAssignment.objects.create(task=self.tasks[t], agency=agency)
                for a, (agency, _) in enumerate(agencies)
                for t in self.tasks
            }
            # The model: each (unit, tied task) report's state and figure as sent, and manual completions.
            self.state = {(a, t): None for a in range(2) for t in (1, 2)}
            self.figure = {(a, t): None for a in range(2) for t in (1, 2)}
            self.sent_figure = {}
            self.manual = {key: False for key in self.items}

        def _report(self, a, t):
            return Report.objects.get(request=self.requests[t], agency=agencies[a][0])

        def _report_done(self, a, t):
            if t == 3 or self.state[(a, t)] != "accepted":
                return False
            return t == 1 or self.figure[(a, t)] == 100

        def _done(self, key):
            return self.manual[key] or self._report_done(*key)

        @rule(a=st.integers(0, 1), t=st.sampled_from([1, 2]), figure=st.sampled_from([0, 40, 99, 100, 100]))
        def submit(self, a, t, figure):
            agency, officer = agencies[a]
            if self.state[(a, t)] not in (None, "returned"):
                with pytest.raises(ValidationError):
                    report_transition(report=self._report(a, t), action="submit", by=officer)
                return
            report = filled_report(self.requests[t], agency, task_progress=figure)
            report_transition(report=report, action="submit", by=officer)
            self.state[(a, t)] = "submitted"
            self.sent_figure[(a, t)] = figure if t == 2 else None

        @rule(a=st.integers(0, 1), t=st.sampled_from([1, 2]))
        def accept(self, a, t):
            if self.state[(a, t)] != "submitted":
                return
            report_transition(report=self._report(a, t), action="accept", by=alliance_staff)
            self.state[(a, t)] = "accepted"
            self.figure[(a, t)] = self.sent_figure[(a, t)]

        @rule(a=st.integers(0, 1), t=st.sampled_from([1, 2]))
        def send_back(self, a, t):
            action = {"submitted": "return", "accepted": "reopen"}.get(self.state[(a, t)])
            if action is None:
                return
            report_transition(report=self._report(a, t), action=action, by=alliance_staff, comment="Bổ sung.")
            self.state[(a, t)] = "returned"
            self.figure[(a, t)] = None

        @rule(a=st.integers(0, 1), t=st.sampled_from([1, 2, 3]), complete=st.booleans(), staff=st.booleans())
        def manual_progress(self, a, t, complete, staff):
            key = (a, t)
            by = alliance_staff if staff else agencies[a][1]
            current = yesterday if self.manual[key] else (today if self._report_done(a, t) else None)
            target = yesterday if complete else None
            refused = t != 3 and target != current and (not staff or (target is None and not self.manual[key]))
            item = TaskAssignment.objects.get(pk=self.items[key].pk)
            if refused:
                with pytest.raises(ValidationError):
                    assignment_update_progress(assignment=item, completed_on=target, note="Ghi tay", by=by)
                return
            assignment_update_progress(assignment=item, completed_on=target, note="Ghi tay", by=by)
            if target != current:
                self.manual[key] = complete

        @invariant()
        def completion_follows_the_reports(self):
            for key, item in self.items.items():
                item.refresh_from_db()
                assert (item.completed_on is not None) == self._done(key), key
                if self.manual[key]:
                    assert (item.completed_on, item.completed_by_report_id) == (yesterday, None)
                elif self._report_done(*key):
                    assert item.completed_on == today
                    assert item.completed_by_report_id == self._report(*key).pk
                    assert item.current_status_label == "Hoàn thành quá hạn"
                if key[1] == 2:
                    assert item.progress_percent == (self.figure[key] if self.state[key] == "accepted" else None)

        @invariant()
        def no_reminder_nor_digest_line_for_a_done_assignment(self):
            # Forget the reminders already recorded, so each check asks reminders_send afresh whom it would remind.
            Reminder.objects.filter(key__startswith="task:").delete()
            reminders_send(on=today)
            reminded = {
                int(key.split(":")[1])
                for key in Reminder.objects.filter(key__startswith="task:").values_list("key", flat=True)
            }
            items = open_items([agency.pk for agency, _ in agencies])
            listed = {row["link"] for rows in items.values() for row in rows}
            for key, item in self.items.items():
                if item.task.deadline is not None:
                    assert (item.pk in reminded) == (not self._done(key)), key
                assert (item.get_absolute_url() in listed) == (not self._done(key)), key

    run_state_machine_as_test(Loop, settings=settings(max_examples=examples(10), stateful_step_count=15))
