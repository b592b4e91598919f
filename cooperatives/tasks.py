"""Celery tasks of the registry: thin wrappers taking ids and calling a service. Each is idempotent."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.tasks import RELIABLE, publish, reliable

from . import importing, services
from .models import ImportJob

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


@shared_task(**reliable(soft_time_limit=50, time_limit=60))
def sweep_import_jobs() -> int:
    """Beat: publish again the imports that wait for a worker minutes after they were started or confirmed (the
    broker was down then). A job being checked or imported holds its row lock, so it is skipped (PostgreSQL);
    the tasks are idempotent, so a job both queued and swept runs once. With the broker still down nothing is
    published and the next sweep tries again."""
    cutoff = timezone.now() - timedelta(minutes=settings.PORTAL_PUBLISH_SWEEP_MINUTES)
    waiting = {ImportJob.Status.PENDING: import_check, ImportJob.Status.IMPORTING: import_apply}
    with transaction.atomic():
        jobs = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status__in=waiting, created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", "status")
        )
    published = 0
    for pk, status in jobs:
        if not publish(waiting[status], pk):
            break
        published += 1
    return published
