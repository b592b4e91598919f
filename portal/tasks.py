from celery import shared_task
from django.core.cache import cache


@shared_task(name="portal.ping")
def ping(token: str) -> str:
    """Leave `token` in the cache: the worker test and /healthz callers use it to see a worker is consuming."""
    cache.set(f"portal:ping:{token}", "pong", 300)
    return "pong"


@shared_task(name="portal.flush_counters")
def flush_counters() -> dict:
    """Write buffered article views and daily visits to their rows (beat, every minute). Safe to run twice."""
    from .counters import flush_article_views, flush_visits

    return {"views": flush_article_views(), "visits": flush_visits()}


@shared_task(name="portal.email_contact_message")
def email_contact_message(message_id: int) -> bool:
    """E-mail a contact message to the alliance's staff, once (the row records when it went out)."""
    from .services import contact_message_send

    return contact_message_send(message_id=message_id)


# --- reliability (issue 8) ---------------------------------------------------------------------------------------
import time  # noqa: E402

from django.db import InterfaceError, OperationalError  # noqa: E402

# Options for every task that touches the database or another service: a transient fault (database restarted,
# Redis blip) is retried with exponential backoff and jitter, at most 5 times, at most 10 minutes apart; the
# message is acknowledged only after the task finished (a killed worker's task is delivered again).
RELIABLE = {
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


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
