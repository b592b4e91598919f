from datetime import date

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from cooperatives.models import Congress, CongressReminder, Notice
from cooperatives.services import congress_reminders_send
from cooperatives.tasks import send_congress_reminders
from portal.models import Notification, User

from .factories import CongressFactory, CooperativeFactory


@pytest.fixture
def coop(hong_dan_commune):
    c = CooperativeFactory(name="Hợp tác xã Nông nghiệp Ninh Quới", unit=hong_dan_commune)
    CongressFactory(cooperative=c, kind=Congress.Kind.TERM, held_date=date(2024, 1, 10))
    CongressFactory(cooperative=c, fiscal_year=2024, held_date=date(2025, 3, 1))
    return c  # next annual congress (fiscal 2025) due 30/04/2026


def test_officers_are_reminded_thirty_days_before_the_due_date(
    coop, officer_hong_dan, officer_dong_hai, alliance_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = congress_reminders_send(on=date(2026, 4, 1))  # 29 days before 30/04/2026
    assert created == 1
    reminder = CongressReminder.objects.get()
    assert (reminder.stage, reminder.due_date) == (CongressReminder.Stage.UPCOMING, date(2026, 4, 30))
    # The 2022 district's committee, and today's commune committee whose area the old commune lies in now.
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {officer_hong_dan.email, "ninhquoi@example.invalid", alliance_staff.email}
    assert officer_dong_hai.email not in recipients
    assert "Hợp tác xã Nông nghiệp Ninh Quới" in mail.outbox[0].body
    assert set(Notice.objects.values_list("recipient__username", flat=True)) == {"hongdan", "ninhquoi", "lienminh"}


def test_no_reminder_more_than_thirty_days_ahead(coop, demo):
    assert congress_reminders_send(on=date(2026, 3, 30)) == 0
    assert congress_reminders_send(on=date(2026, 3, 31)) == 1  # exactly 30 days before


def test_an_overdue_congress_is_reminded_once_however_often_the_task_runs(
    coop, demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        congress_reminders_send(on=date(2026, 5, 1))
        congress_reminders_send(on=date(2026, 5, 1))
        congress_reminders_send(on=date(2026, 5, 20))
    assert CongressReminder.objects.filter(stage=CongressReminder.Stage.OVERDUE).count() == 1
    assert len(mail.outbox) == Notice.objects.count() == 3  # hongdan, ninhquoi, lienminh


def test_the_upcoming_and_overdue_stages_are_separate_reminders(coop, demo):
    congress_reminders_send(on=date(2026, 4, 15))
    congress_reminders_send(on=date(2026, 5, 2))
    assert sorted(CongressReminder.objects.values_list("stage", flat=True)) == ["overdue", "upcoming"]


def test_the_database_refuses_a_second_reminder_for_the_same_congress_and_stage(coop):
    CongressReminder.objects.create(
        cooperative=coop, congress_kind="annual", due_date=date(2026, 4, 30), stage="overdue"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CongressReminder.objects.create(
            cooperative=coop, congress_kind="annual", due_date=date(2026, 4, 30), stage="overdue"
        )


def test_the_beat_schedule_runs_the_reminder_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cooperatives-congress-reminders"]
    assert entry["task"] == send_congress_reminders.name


def test_the_task_reminds_of_the_congress_overdue_today(coop, demo):
    send_congress_reminders.delay()  # eager without a broker
    send_congress_reminders.delay()
    assert list(CongressReminder.objects.values_list("stage", "due_date")) == [("overdue", date(2026, 4, 30))]


def test_the_officer_sees_their_notices_and_not_other_districts(
    client, coop, officer_hong_dan, officer_dong_hai, dong_hai_commune
):
    other = CooperativeFactory(name="Hợp tác xã Muối Long Điền", unit=dong_hai_commune)
    CongressFactory(cooperative=other, fiscal_year=2024, held_date=date(2025, 3, 1))
    congress_reminders_send(on=date(2026, 5, 1))
    client.force_login(officer_hong_dan)
    old_page = client.get("/hop-tac-xa/thong-bao/")  # the old page leads to the one inbox
    assert old_page.status_code == 302 and old_page["Location"] == "/thong-bao/"
    page = client.get("/thong-bao/").content.decode()
    assert "Hợp tác xã Nông nghiệp Ninh Quới" in page and "Muối Long Điền" not in page
    client.post("/hop-tac-xa/thong-bao/da-doc/")
    assert not Notice.objects.filter(recipient=officer_hong_dan, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=officer_dong_hai, read_at__isnull=True).exists()
    assert not Notification.objects.filter(user=officer_hong_dan, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=officer_dong_hai, read_at__isnull=True).exists()


def test_the_migration_moves_earlier_notices_into_the_inbox(coop, officer_hong_dan, alliance_staff):
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("cooperatives.migrations.0014_notices_to_inbox")
    congress_reminders_send(on=date(2026, 5, 1), send_email=False)
    Notification.objects.all().delete()  # as before the inbox existed
    Notice.objects.filter(recipient=alliance_staff).update(read_at=timezone.now())
    migration.copy_notices(apps, None)
    reminder = CongressReminder.objects.get()
    rows = {n.user_id: n for n in Notification.objects.all()}
    ninhquoi = User.objects.get(username="ninhquoi")
    assert set(rows) == {officer_hong_dan.pk, ninhquoi.pk, alliance_staff.pk}
    assert rows[officer_hong_dan.pk].title == reminder.text and rows[officer_hong_dan.pk].read_at is None
    assert rows[alliance_staff.pk].read_at is not None
    assert rows[officer_hong_dan.pk].link == f"/hop-tac-xa/quan-ly/{coop.slug}/"
