from datetime import date

from django.core import mail

from directives import tasks
from directives.models import Reminder
from directives.services import digests_send, reminders_send, report_transition

from .factories import assignment, filled_report, report_request


def test_a_reminder_is_sent_once_before_the_deadline_and_once_when_overdue(
    officer_hong_dan, hong_dan, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_REMINDER_DAYS_BEFORE = 5
    request = report_request([hong_dan], deadline=date(2023, 1, 15))
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave only after the commit
        assert reminders_send(on=date(2023, 1, 9)) == 0  # six days before: nothing yet
        assert reminders_send(on=date(2023, 1, 10)) == 1
        assert reminders_send(on=date(2023, 1, 12)) == 0  # same stage: not again
        assert reminders_send(on=date(2023, 1, 15)) == 0  # the deadline day is not overdue
        assert reminders_send(on=date(2023, 1, 16)) == 1
        assert reminders_send(on=date(2023, 1, 20)) == 0
    keys = set(Reminder.objects.values_list("key", flat=True))
    assert keys == {f"request:{request.pk}:before", f"request:{request.pk}:overdue"}
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Quá hạn nộp báo cáo")
    assert mail.outbox[1].to == [hong_dan.email]  # the agency's own address (its officers' only when it has none)


def test_agencies_that_submitted_get_no_reminder(officer_hong_dan, hong_dan, dong_hai):
    request = report_request([hong_dan, dong_hai], deadline=date(2023, 1, 15))
    report_transition(report=filled_report(request, hong_dan), action="submit", by=officer_hong_dan)
    reminders_send(on=date(2023, 1, 20))
    assert list(Reminder.objects.values_list("agency", flat=True)) == [dong_hai.pk]


def test_unfinished_tasks_are_reminded_once_per_stage_and_the_task_runs_idempotently(hong_dan, settings):
    settings.PORTAL_REMINDER_DAYS_BEFORE = 3
    item = assignment(hong_dan, deadline=date(2022, 6, 30))
    done = assignment(hong_dan, deadline=date(2022, 6, 30))
    done.completed_on = date(2022, 6, 1)
    done.save()
    reminders_send(on=date(2022, 7, 1))
    reminders_send(on=date(2022, 7, 2))
    assert list(Reminder.objects.values_list("key", flat=True)) == [f"task:{item.pk}:overdue:2022-06-30"]


def test_the_celery_tasks_run_twice_with_one_effect(hong_dan):
    report_request([hong_dan], deadline=date(2022, 1, 15))
    tasks.send_deadline_reminders.delay()
    tasks.send_deadline_reminders.delay()
    tasks.send_weekly_digests.delay()
    tasks.send_weekly_digests.delay()
    assert Reminder.objects.filter(key__startswith="request:").count() == 1
    assert Reminder.objects.filter(key__startswith="digest:").count() == 1


def test_the_weekly_digest_lists_open_items_oldest_first_once_a_week(hong_dan, dong_hai, officer_hong_dan):
    report_request([hong_dan], title="Báo cáo mới", deadline=date(2023, 3, 1))
    report_request([hong_dan], title="Báo cáo cũ", deadline=date(2022, 7, 15))
    finished = report_request([hong_dan], title="Báo cáo đã gửi", deadline=date(2022, 1, 15))
    report_transition(report=filled_report(finished, hong_dan), action="submit", by=officer_hong_dan)
    assert digests_send(on=date(2023, 1, 2)) == 1
    assert digests_send(on=date(2023, 1, 4)) == 0  # same ISO week
    assert digests_send(on=date(2023, 1, 9)) == 1
    body = Reminder.objects.filter(agency=hong_dan).first().body
    assert body.index("Báo cáo cũ") < body.index("Báo cáo mới")
    assert "Báo cáo đã gửi" not in body
    assert "(đã quá hạn)" in body


def test_beat_schedules_both_periodic_tasks(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"directives.send_deadline_reminders", "directives.send_weekly_digests"} <= scheduled


def test_reminder_e_mails_link_to_the_configured_site(
    officer_hong_dan, hong_dan, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_SITE_URL = "https://htx.example.vn"
    request = report_request([hong_dan], deadline=date(2023, 1, 15))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=date(2023, 1, 16)) == 1
    assert f"https://htx.example.vn/bao-cao/yeu-cau/{request.pk}/" in mail.outbox[0].body
