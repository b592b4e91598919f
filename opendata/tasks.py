"""The bulk files' rebuild, on the worker (every five minutes from beat, and when the open data page finds them
stale)."""

from celery import shared_task

from portal.tasks import reliable

from . import bulk


@shared_task(name="opendata.refresh", **reliable(soft_time_limit=12 * 60, time_limit=14 * 60))
def refresh() -> dict:
    return bulk.refresh()
