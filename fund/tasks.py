"""Thin Celery tasks of the fund: they take ids or ISO dates and call a service."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portal.tasks import RELIABLE, publish, reliable

from . import services


@shared_task(**RELIABLE)
def snapshot_portfolio(on: str | None = None) -> int:
    """Nightly: store each loan's figures for the day (idempotent: one row per loan and day)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return services.portfolio_snapshot(on=day)


@shared_task(**RELIABLE)
def refresh_loan_snapshots(loan_id: int, days: list[str]) -> int:
    """After a change dropped a loan's stored figures: store them again for those days (idempotent)."""
    return services.loan_snapshots_refresh(loan_id=loan_id, days=[date.fromisoformat(d) for d in days])


@shared_task(**reliable(soft_time_limit=50, time_limit=60))
def sweep_loan_snapshots() -> int:
    """Beat: publish again the refresh of loans whose stored figures a change dropped while the broker was down
    (until then reports replay those loans: the same figures, slower). The refresh is idempotent, so one both
    queued and swept stores each row once; with the broker still down the next sweep tries again."""
    published = 0
    for loan_id, days in services.loan_snapshot_gaps():
        if not publish(refresh_loan_snapshots, loan_id, [d.isoformat() for d in days]):
            break
        published += 1
    return published
