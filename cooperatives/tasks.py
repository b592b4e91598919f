"""Celery tasks of the registry: thin wrappers taking ids and calling a service. Each is idempotent."""

from celery import shared_task
from django.utils import timezone

from . import importing, services


@shared_task
def import_check(job_id: int) -> None:
    importing.job_check(job_id=job_id)


@shared_task
def import_apply(job_id: int) -> None:
    importing.job_apply(job_id=job_id)


@shared_task
def send_congress_reminders() -> int:
    """Daily: remind officers 30 days before an annual or term congress is due and once it is overdue."""
    return services.congress_reminders_send(on=timezone.localdate())
