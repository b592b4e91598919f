"""Thin Celery tasks of the fund: they take ids or ISO dates and call a service."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portal.tasks import RELIABLE

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
