"""Send reads to the PostgreSQL read replica, writes to the primary (switched on by DATABASE_REPLICA_URL).

Built on django-multidb-router's PinningReplicaRouter and its middleware. A replica lags the primary by a moment,
so these reads stay on the primary:

- a client's reads for PORTAL_REPLICA_PIN_SECONDS after it sent a request that may write (any method but GET,
  HEAD, OPTIONS, TRACE): the middleware pins that request and sets a cookie that pins the next ones, so the page a
  save redirects to shows what was saved. The cookie is not signed: all it can do is send its holder's reads to the
  primary, which any client may also get by sending a POST;
- a Celery task's reads (config.celery pins each task's run): a task is queued after a commit and must find it;
- public caches rebuilt right after a content bump (portal.versioned, portal.contentcache);
- every read inside a transaction on the primary (a service that writes and then reads in one `atomic` block);
- accounts, sessions and everything of sign-in security, always: auth, sessions, contenttypes, admin history, our
  users and security log, django-axes' attempts and lockouts, django-otp's devices.

If the replica cannot be reached, reads go to the primary (the site slows down, it does not fail) and the replica
is tried again every REPLICA_RETRY_SECONDS; /healthz then says "degraded".
"""

import time

from django.db import DatabaseError, connections
from multidb import PinningReplicaRouter

PRIMARY = "default"
REPLICA = "replica"
PRIMARY_ONLY_APPS = {
    "auth",
    "sessions",
    "contenttypes",
    "admin",
    "axes",
    "otp_totp",
    "otp_static",
    "otp_hotp",
    "otp_email",
}
PRIMARY_ONLY_MODELS = {"portal.user", "portal.securityevent"}
REPLICA_RETRY_SECONDS = 10.0
_replica_down_until = {"at": 0.0}


def replica_reachable() -> bool:
    """Whether this process may read the replica: false for REPLICA_RETRY_SECONDS after a failed connection."""
    if time.monotonic() < _replica_down_until["at"]:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()  # once per request: a server that died under a kept connection
        connection.ensure_connection()
    except DatabaseError:
        _replica_down_until["at"] = time.monotonic() + REPLICA_RETRY_SECONDS
        return False
    return True


class PrimaryReplicaRouter(PinningReplicaRouter):
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        database = super().db_for_read(model, **hints)  # the primary while this thread is pinned
        if database != PRIMARY and not replica_reachable():
            return PRIMARY
        return database

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: relations across them are the same rows.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}
