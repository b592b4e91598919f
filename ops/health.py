"""/healthz: is the database, the cache and the broker reachable? 200 when all are, 503 otherwise.

The public sees only "ok" or "error" per component. What failed and how (the error, each check's time, the
versions we run) helps an attacker as much as an operator, so it goes only to the local probe (a request from
127.0.0.1 or ::1 that no proxy forwarded) or to a caller sending the token of PORTAL_HEALTH_TOKEN in the
X-Health-Token header.

With a read replica (DATABASE_REPLICA_URL) the replica is checked too, and the details give its lag in seconds:
0 when it has replayed all the WAL it received (an idle primary is no lag), else the age of the last transaction
it replayed (`now() - pg_last_xact_replay_timestamp()`). That figure never reads below the real lag (the pin window
is set from it); after an idle spell the first write reads, until it is replayed a moment later, as a lag of the
spell's length. The primary's `pg_stat_replication.replay_lag` was not used: it is the last lag measured (it reads
~0 right after a write that follows idleness) and needs the pg_monitor role.

A replica that is down does not take the site down (reads go to the primary, config.routers): the answer is then
200 with status "degraded", so a balancer keeps every host, while a monitor alerts on it.
"""

import platform
import time

import django
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache

from portal.cache import strict

TOKEN_HEADER = "X-Health-Token"
LOCAL_ADDRESSES = ("127.0.0.1", "::1")


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache(backend=None) -> str:
    backend = strict(backend or cache)  # the site's cache answers a failure as a miss; this check must see it
    backend.set("portal:healthz", "ok", 10)
    if backend.get("portal:healthz") != "ok":
        raise RuntimeError("cache read back nothing")
    return "ok"


BROKER_OK_KEY = "portal:healthz:broker"
BROKER_OK_TTL = 10  # seconds a successful broker check is trusted


def _broker() -> str:
    """Connecting to the broker opened a new connection through kombu on every request (6 ms of CPU, the most
    costly check by far): a success is remembered in the cache for BROKER_OK_TTL seconds; a failure never is,
    so a broker that comes back is seen on the next request."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        if cache.get(BROKER_OK_KEY):
            return "ok"
    except Exception:  # noqa: BLE001 - a cache that is down is reported by its own check; test the broker.
        pass
    with current_app.connection_for_write() as conn:  # the project's app (config.celery), set as current
        conn.ensure_connection(max_retries=1, timeout=2)
    try:
        cache.set(BROKER_OK_KEY, True, BROKER_OK_TTL)
    except Exception:  # noqa: BLE001
        pass
    return "ok"


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}

REPLICA_LAG_SQL = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""


def _replica() -> dict:
    with connections["replica"].cursor() as cursor:
        cursor.execute(REPLICA_LAG_SQL)
        in_recovery, lag = cursor.fetchone()
    if not in_recovery:
        raise RuntimeError("DATABASE_REPLICA_URL names a server that is not a standby")
    return {"lag_seconds": round(float(lag or 0), 3)}


def _sees_details(request) -> bool:
    token = getattr(settings, "PORTAL_HEALTH_TOKEN", "")
    if token:
        given = request.headers.get(TOKEN_HEADER, "")
        if given and constant_time_compare(given, token):
            return True
    return request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES and "HTTP_X_FORWARDED_FOR" not in request.META


@never_cache
def healthz(request):
    public, details, healthy = {}, {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = check()
            public[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "down"; the details say which.
            result = f"error: {exc.__class__.__name__}: {exc}"
            public[name] = "error"
            healthy = False
        details[name] = {"result": result, "ms": round((time.perf_counter() - started) * 1000, 1)}
    status = "ok" if healthy else "error"
    if "replica" in settings.DATABASES:
        started = time.perf_counter()
        try:
            details["replica"] = {"result": "ok", **_replica()}
            public["replica"] = "ok"
        except Exception as exc:  # noqa: BLE001 - reads fall back to the primary: degraded, not down.
            details["replica"] = {"result": f"error: {exc.__class__.__name__}: {exc}"}
            public["replica"] = "error"
            status = "degraded" if healthy else status
        details["replica"]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": status, **public}
    if _sees_details(request):
        body["details"] = details
        body["versions"] = {"python": platform.python_version(), "django": django.get_version()}
    return JsonResponse(body, status=200 if healthy else 503)


class HealthzMiddleware:
    """/healthz answered before anything asks for the request's host name (in MIDDLEWARE before everything but
    SecurityMiddleware and the Permissions-Policy header, which never ask).

    A load balancer probes each host by its address (Host: 10.0.0.5), which is not in ALLOWED_HOSTS; the first
    call to request.get_host() would answer that with 400, so the probe never saw the host's health. Only this path
    is let through: every other one still meets the host check. What the answer shows is decided as before
    (`_sees_details`: the local probe or the token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
