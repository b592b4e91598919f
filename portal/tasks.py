"""RELIABLE: the options every task of the portal is declared with; `publish_on_commit`: how a user's action hands
work to the worker without failing when the broker is down; the worker probes `ping` and `redelivery_probe`."""

import logging
import smtplib
import threading
import time

import kombu.exceptions
from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction

from .extract import attachment_extract_text
from .lock_mail import login_lock_mails_send
from .official import issued_render, issued_render_pending

logger = logging.getLogger(__name__)

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


# Publishing after a user's action: the broker down must cost neither the action nor more than about a second.
# Kombu retries a failed publish (CELERY_TASK_PUBLISH_RETRY_POLICY, meant for the worker and beat, which can wait);
# a request tries twice, 0.2 s apart, then gives up. The work is not lost: each app's row says it is pending
# (ContactMessage.emailed_at null, ImportJob.status) and the app's sweep task publishes it again (beat).
# https://docs.celeryq.dev/en/stable/userguide/calling.html#message-sending-retry
REQUEST_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2}
# What a dead, refusing or silent broker raises from apply_async (kombu wraps most of it in its OperationalError).
PUBLISH_FAILURES = (kombu.exceptions.OperationalError, ConnectionError, TimeoutError, OSError)
LOG_EVERY = 60.0  # seconds: a dead broker is logged once a minute per process, not once a request

_log_lock = threading.Lock()
_last_logged = {"at": float("-inf"), "missed": 0}


def _log_publish_failure(name: str, exc: BaseException) -> None:
    with _log_lock:
        now = time.monotonic()
        if now - _last_logged["at"] < LOG_EVERY:
            _last_logged["missed"] += 1
            return
        missed, _last_logged["missed"], _last_logged["at"] = _last_logged["missed"], 0, now
    logger.error(
        "Broker unreachable: %s not published (%s); %d other publishes failed in the last minute; "
        "the sweep will publish the pending work again.",
        name,
        exc,
        missed,
    )


def publish(task, *args) -> bool:
    """Send `task(*args)` to the broker now; False (logged at most once a minute) if the broker cannot take it.

    Eager settings (no broker: a newcomer's machine, the tests) run the task in-process as before, and its own
    errors propagate: there is no publish to fail."""
    if task.app.conf.task_always_eager:
        task.apply_async(args)
        return True
    try:
        task.apply_async(args, retry=True, retry_policy=REQUEST_RETRY_POLICY)
    except PUBLISH_FAILURES as exc:
        _log_publish_failure(task.name, exc)
        return False
    return True


def publish_on_commit(task, *args) -> None:
    """`publish` once the current transaction commits (nothing if it rolls back); never raises into the request."""
    transaction.on_commit(lambda: publish(task, *args))


@shared_task(name="portal.email_login_locks", **RELIABLE)
def email_login_locks() -> int:
    """Tell the alliance's administrators of each account lock not yet told (enqueued on a lock, and every 5 min)."""
    return login_lock_mails_send()


# OCR of a long scan takes minutes (about 3-10 seconds a page at 300 dpi); the per-page limit is
# PORTAL_OCR_PAGE_TIMEOUT, the file's PORTAL_EXTRACT_MAX_PAGES, and the worker's 30 minutes the whole task's: a scan
# that needs longer ends as "lỗi" with a message saying so.
@shared_task(name="portal.extract_text", **reliable(soft_time_limit=28 * 60, time_limit=30 * 60))
def extract_text(label: str, pk: int) -> str | None:
    """Extract the text of one attachment (portal.extract)."""
    return attachment_extract_text(label=label, pk=pk)


@shared_task(name="portal.render_issued", **reliable(soft_time_limit=4 * 60, time_limit=5 * 60))
def render_issued(pk: int) -> bool:
    """Write an issued document's PDF/A once its number is taken (portal.official.issued_render)."""
    doc = issued_render(pk)
    return bool(doc and doc.pdf)


@shared_task(name="portal.sweep_issued_documents", **RELIABLE)
def sweep_issued_documents() -> int:
    """Enqueue again the issued documents still without their PDF (portal.official.issued_render_pending)."""
    return issued_render_pending()
