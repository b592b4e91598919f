"""Where a warm signed-in request's CPU time goes, by part (docs/performance.md, "Staff pages").

Run against the bench database (the environment `ops/bench/run.sh` sets, with DATABASE_URL and REDIS_URL):

    .venv/bin/python manage.py shell -c "from ops.bench import parts; parts.main()"

Each part's time is the CPU time (`time.process_time`) spent inside it and not inside another part nested in it:
the SQL a session load runs counts as SQL. Everything outside the named parts (middleware, the handler, the test
client itself) is the first part. Median over N requests (env N, default 15) after 3 warm ones; env ONLY keeps
the pages whose name contains it; env OUT writes the medians as JSON.
"""

import functools
import json
import os
import statistics
import time
from collections import defaultdict

from ops.bench.pages import FUND, OFFICER, STAFF

PAGES = [
    ("officer workspace", "/bao-cao/", OFFICER),
    ("province report matrix", "/bao-cao/tong-hop/", STAFF),
    ("admin: cooperatives changelist", "/admin/cooperatives/cooperative/", STAFF),
    ("admin: documents changelist", "/admin/directives/document/", STAFF),
    ("admin: fund loans changelist", "/admin/fund/loan/", STAFF),
    ("loan book", "/quy-ho-tro/quan-ly/", FUND),
    ("registry dashboard", "/hop-tac-xa/quan-ly/", STAFF),
]
OUTSIDE = "middleware, handler and test client"
PARTS = [
    OUTSIDE,
    "session load",
    "user load",
    "permission checks",
    "SQL: COUNT(*)",
    "SQL: other queries",
    "cache (Redis)",
    "template rendering",
    "view code (ORM rows, Python)",
]


class _Clock:
    def __init__(self):
        self.on = False
        self.stack = [OUTSIDE]
        self.mark = 0.0
        self.spent = defaultdict(float)

    def charge(self):
        now = time.process_time()
        self.spent[self.stack[-1]] += now - self.mark
        self.mark = now

    def start(self):
        self.stack, self.spent, self.on = [OUTSIDE], defaultdict(float), True
        self.mark = time.process_time()

    def stop(self):
        self.charge()
        self.on = False


CLOCK = _Clock()


def _wrap(owner, name, part):
    """Charge time inside owner.name to `part` (a string, or a function of the call's arguments)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        if not CLOCK.on:
            return original(*args, **kwargs)
        CLOCK.charge()
        CLOCK.stack.append(part(*args, **kwargs) if callable(part) else part)
        try:
            return original(*args, **kwargs)
        finally:
            CLOCK.charge()
            CLOCK.stack.pop()

    setattr(owner, name, timed)


def _sql_part(cursor, sql, *args, **kwargs):
    return "SQL: COUNT(*)" if "COUNT(" in str(sql)[:200].upper() else "SQL: other queries"


def _instrument():
    from django.contrib.auth import middleware as auth_middleware
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.backends import db as session_db
    from django.core.cache import caches
    from django.core.handlers.base import BaseHandler
    from django.db.backends import utils as db_utils
    from django.template import base as template_base

    from portal.security import AxesBackend

    _wrap(db_utils.CursorWrapper, "_execute", _sql_part)
    _wrap(template_base.Template, "render", "template rendering")
    _wrap(session_db.SessionStore, "load", "session load")
    _wrap(auth_middleware, "get_user", "user load")
    _wrap(ModelBackend, "get_all_permissions", "permission checks")
    if "get_all_permissions" in vars(AxesBackend):
        _wrap(AxesBackend, "get_all_permissions", "permission checks")
    cache_class = type(caches["default"])
    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many"):
        if hasattr(cache_class, name):
            _wrap(cache_class, name, "cache (Redis)")
    _wrap(BaseHandler, "_get_response", "view code (ORM rows, Python)")


def measure(n: int = 15, only: str = "") -> dict:
    from django.test import Client

    from portal.models import User

    _instrument()
    results = {}
    for name, path, login in PAGES:
        if only and only not in name:
            continue
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        client.force_login(User.objects.get(username=login))
        for _ in range(3):
            response = client.get(path, secure=True)
        per_part, walls, cpus = defaultdict(list), [], []
        for _ in range(n):
            cpu, wall = time.process_time(), time.perf_counter()
            CLOCK.start()
            response = client.get(path, secure=True)
            CLOCK.stop()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            for part in PARTS:
                per_part[part].append(CLOCK.spent.get(part, 0.0))
        results[name] = {
            "path": path,
            "status": response.status_code,
            "parts_ms": {part: round(statistics.median(v) * 1000, 2) for part, v in per_part.items()},
            "cpu_ms": round(statistics.median(cpus) * 1000, 2),
            "wall_ms": round(statistics.median(walls) * 1000, 1),
        }
    return results


def main():
    results = measure(int(os.environ.get("N", "15")), os.environ.get("ONLY", ""))
    for name, row in results.items():
        print(f"{name} {row['path']} {row['status']}: CPU {row['cpu_ms']} ms, wall {row['wall_ms']} ms")
        for part, ms in row["parts_ms"].items():
            print(f"    {part:<40} {ms:8.2f}")
    if os.environ.get("OUT"):
        with open(os.environ["OUT"], "w", encoding="utf-8") as handle:
            json.dump(results, handle, ensure_ascii=False, indent=1)
