"""RELIABLE: the options every task of the portal is declared with; the worker probes `ping` and `redelivery_probe`."""

import smtplib
import time

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

# Every task of the portal is declared with these options (tests/security/test_tasks_reliable.py checks it):
# a transient fault (database restarted, Redis or SMTP blip) is retried with exponential backoff and jitter, at most
# 5 times, at most 10 minutes apart; the message is acknowledged only after the task finished, so a killed worker's
# task is delivered again (every task is idempotent, so a second delivery has no second effect); and a task that
# hangs is stopped (soft limit: an exception the task's transaction rolls back on; hard limit: the process is killed).
# https://docs.celeryq.dev/en/stable/userguide/tasks.html#automatic-retry-for-known-exceptions
RELIABLE = {
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError, smtplib.SMTPException),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 5 * 60,
    "time_limit": 6 * 60,
}


def reliable(**overrides) -> dict:
    """RELIABLE with other time limits (an import of 10,000 rows takes minutes; a counter flush must not)."""
    return {**RELIABLE, **overrides}


@shared_task(name="portal.ping", **reliable(soft_time_limit=10, time_limit=20))
def ping(token: str) -> str:
    """Leave `token` in the cache: the worker test and /healthz callers use it to see a worker is consuming."""
    cache.set(f"portal:ping:{token}", "pong", 300)
    return "pong"


@shared_task(name="portal.redelivery_probe", **RELIABLE)
def redelivery_probe(token: str, seconds: float) -> None:
    """Fault-test task: notes each start, works `seconds`, then has its one effect, once, however often it runs."""
    started = f"portal:probe:{token}:started"
    cache.add(started, 0, 600)
    cache.incr(started)
    time.sleep(seconds)
    if cache.add(f"portal:probe:{token}:done", 1, 600):  # atomic set-if-absent: a second run changes nothing
        cache.add(f"portal:probe:{token}:effects", 0, 600)
        cache.incr(f"portal:probe:{token}:effects")


@shared_task(name="portal.email_login_locks", **RELIABLE)
def email_login_locks() -> int:
    """Tell the alliance's administrators of each account lock not yet told (enqueued on a lock, and every 5 min)."""
    from .account_lock import login_lock_mails_send

    return login_lock_mails_send()
