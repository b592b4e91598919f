"""Periodic follow-up (Celery beat): deadline reminders and the weekly digest. Thin wrappers over services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="directives.send_deadline_reminders")
def send_deadline_reminders() -> int:
    return services.reminders_send(on=timezone.localdate())


@shared_task(name="directives.send_weekly_digests")
def send_weekly_digests() -> int:
    return services.digests_send(on=timezone.localdate())
