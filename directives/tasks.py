"""Periodic follow-up (Celery beat): deadline reminders, the weekly digests (agencies, alliance staff). Thin wrappers.

Idempotent: a Reminder row per (agency, stage) is unique, so a second run the same day e-mails nobody again.
"""

from celery import shared_task
from django.utils import timezone

from portal.tasks import RELIABLE

from . import services


@shared_task(name="directives.send_deadline_reminders", **RELIABLE)
def send_deadline_reminders() -> int:
    return services.reminders_send(on=timezone.localdate())


@shared_task(name="directives.send_weekly_digests", **RELIABLE)
def send_weekly_digests() -> int:
    return services.digests_send(on=timezone.localdate())


@shared_task(name="directives.send_staff_digests", **RELIABLE)
def send_staff_digests() -> int:
    return services.staff_digests_send(on=timezone.localdate())


@shared_task(name="directives.check_file_signature", **RELIABLE)
def check_file_signature(kind: str, file_id: int) -> str:
    return services.file_signature_check(kind=kind, file_id=file_id)


@shared_task(name="directives.recheck_signatures", **RELIABLE)
def recheck_signatures() -> int:
    return services.signatures_recheck()
