"""Reads that must see the primary's latest commit, when reads otherwise go to a lagging replica.

The router (config.routers, on django-multidb-router's pinning router) sends a thread's reads to the primary while
the thread is pinned. `primary_reads()` pins for the length of a block and restores what was there before, so it
nests (multidb's own `use_primary_db` does not: an inner block unpins what an outer one pinned). Without a replica
pinning changes nothing: every read is on the primary already.
"""

from contextlib import contextmanager

from django.conf import settings
from multidb.pinning import pin_this_thread, this_thread_is_pinned, unpin_this_thread


def pin_seconds() -> float:
    """How long reads stay on the primary after a write or a content bump: above the replica's usual lag."""
    return float(getattr(settings, "PORTAL_REPLICA_PIN_SECONDS", 5))


@contextmanager
def primary_reads(pin: bool = True):
    """Inside the block, this thread reads the primary (when `pin`; a no-op otherwise)."""
    if not pin or this_thread_is_pinned():
        yield
        return
    pin_this_thread()
    try:
        yield
    finally:
        unpin_this_thread()


_pinned_before: dict[str, bool] = {}


def task_started(task_id=None, **kwargs) -> None:
    """Celery's task_prerun: a task is queued after a commit and must find it, so its reads go to the primary."""
    _pinned_before[task_id] = this_thread_is_pinned()
    pin_this_thread()


def task_finished(task_id=None, **kwargs) -> None:
    """Celery's task_postrun: unpin, unless the thread was pinned before (an eager task inside a pinned request)."""
    if not _pinned_before.pop(task_id, False):
        unpin_this_thread()
