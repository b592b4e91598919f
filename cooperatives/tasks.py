"""Celery tasks of the registry: thin wrappers taking ids and calling a service. Each is idempotent."""

from celery import shared_task
from django.utils import timezone

from portal.tasks import RELIABLE, reliable

from . import importing, services

# A 10,000-row file takes a few minutes on the demo machine (docs/performance.md); leave room, then stop.
IMPORT_LIMITS = reliable(soft_time_limit=25 * 60, time_limit=30 * 60)


@shared_task(**IMPORT_LIMITS)
def import_check(job_id: int) -> None:
    importing.job_check(job_id=job_id)


@shared_task(**IMPORT_LIMITS)
def import_apply(job_id: int) -> None:
    importing.job_apply(job_id=job_id)


@shared_task(**RELIABLE)
def send_congress_reminders() -> int:
    """Daily: remind officers 30 days before an annual or term congress is due and once it is overdue."""
    return services.congress_reminders_send(on=timezone.localdate())
