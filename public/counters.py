"""Counters buffered in the cache and flushed to the database by a beat task (public.tasks.flush_counters).

A read of an article or a visit costs one or two cache round trips, never a row update. With Redis (production)
`cache.incr` is an atomic INCRBY and the dirty ids live in a Redis set, so 1,000 concurrent views add exactly
1,000. With the local-memory cache (a newcomer's single process) a process lock guards the dirty set.

Flushing removes an id from the dirty set *before* taking its counter (an atomic read-and-reset, GETSET on Redis),
so an increment arriving meanwhile is either taken or stays in the counter with its id back in the set, and two
flushes running at once never write the same views twice.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from portal.cache import CacheUnavailable, guarded
from portal.cache import strict as strict_cache
from portal.security import client_ip as proxied_client_ip

from .models import Article, DailyVisit

_local_lock = threading.Lock()


def _cache():
    return caches["default"]


class BufferedCounter:
    """Integer counters per member id (`<prefix>:<id>`) plus a registry of ids with pending counts."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.dirty_key = f"{prefix}:dirty"

    def key(self, member) -> str:
        return f"{self.prefix}:{member}"

    def incr(self, member, delta: int = 1) -> int:
        """Add `delta`; returns the pending count after it."""
        return self.incr_and_get(member, delta)[0]

    def incr_and_get(self, member, delta: int = 1, *, also_get: str | None = None) -> tuple[int, object]:
        """Add `delta`, and read the cache key `also_get` in the same round trip: (pending count, that value)."""
        cache = _cache()
        key = self.key(member)
        client, dirty_key = self._redis(cache)
        if client is not None:
            # One round trip: INCRBY starts a missing counter at 0, then SADD marks the id (in this order).
            pipe = client.pipeline(transaction=False)
            pipe.incrby(cache.make_and_validate_key(key), delta)
            pipe.sadd(dirty_key, str(member))
            if also_get:
                pipe.get(cache.make_and_validate_key(also_get))
            try:
                with guarded(cache):
                    pending, _, *got = pipe.execute()
            except CacheUnavailable:
                return 0, None  # counters fail open: this read goes uncounted, the page is served
            raw = got[0] if got else None
            return int(pending), (None if raw is None else cache._cache._serializer.loads(raw))
        return self._incr_locally(cache, key, member, delta), (cache.get(also_get) if also_get else None)

    def _incr_locally(self, cache, key, member, delta) -> int:
        try:
            pending = cache.incr(key, delta)
        except ValueError:
            cache.add(key, 0, None)
            pending = cache.incr(key, delta)
        self._mark_dirty(cache, member)
        return pending

    def pending(self, member) -> int:
        return int(_cache().get(self.key(member)) or 0)

    def pending_many(self, members) -> dict:
        found = _cache().get_many([self.key(m) for m in members])
        return {m: int(found.get(self.key(m)) or 0) for m in members}

    def drain(self, apply: Callable[[str, int], None]) -> int:
        """Call `apply(member, count)` for every pending counter and subtract what was applied. Returns the total."""
        cache = _cache()
        total = 0
        for member in self._dirty_members(cache):
            self._unmark(cache, member)
            count = self._take(cache, member)
            if count <= 0:
                continue
            try:
                with transaction.atomic():
                    apply(member, count)
            except Exception:
                self.incr(member, count)  # give the count back; the next flush writes it
                raise
            total += count
        return total

    def _take(self, cache, member) -> int:
        """Read the counter and reset it in one atomic step, so two flushes never write the same views."""
        client, _ = self._redis(cache)
        if client is not None:
            return int(client.getset(cache.make_and_validate_key(self.key(member)), 0) or 0)
        with _local_lock:  # flushes of one process run one at a time; incr/decr are atomic in locmem
            count = int(cache.get(self.key(member)) or 0)
            if count:
                cache.decr(self.key(member), count)
            return count

    # The registry: a Redis set when the cache is Redis, else a set kept under one key behind a process lock.
    def _redis(self, cache):
        if isinstance(cache, RedisCache):
            return cache._cache.get_client(write=True), cache.make_and_validate_key(self.dirty_key)
        return None, None

    def _mark_dirty(self, cache, member) -> None:
        client, key = self._redis(cache)
        if client is not None:
            client.sadd(key, str(member))
            return
        with _local_lock:
            members = cache.get(self.dirty_key) or set()
            if str(member) not in members:
                members.add(str(member))
                cache.set(self.dirty_key, members, None)

    def _unmark(self, cache, member) -> None:
        client, key = self._redis(cache)
        if client is not None:
            client.srem(key, str(member))
            return
        with _local_lock:
            members = cache.get(self.dirty_key) or set()
            members.discard(str(member))
            cache.set(self.dirty_key, members, None)

    def _dirty_members(self, cache) -> list[str]:
        client, key = self._redis(cache)
        if client is not None:
            return [m.decode() if isinstance(m, bytes) else str(m) for m in client.smembers(key)]
        return sorted(cache.get(self.dirty_key) or set())


article_views = BufferedCounter("portal:views")
daily_visits = BufferedCounter("portal:visits")

# Crawlers and tools: their requests count neither as views nor as visits.
BOT_MARKERS = (
    "bot", "crawl", "spider", "slurp", "curl", "wget", "python-requests", "httpx", "headless", "facebookexternalhit",
    "preview", "monitor", "scan", "lighthouse",
)  # fmt: skip


def bump(key: str, timeout: int, *, strict: bool = False) -> int:
    """Add one to a counter that expires `timeout` seconds after its first use; never raises if it just expired.

    When the cache cannot answer, the count is 1 (a limiter built on it fails open), or, when `strict`,
    CacheUnavailable is raised (for a limiter that fails closed)."""
    cache = strict_cache(_cache()) if strict else _cache()
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout)
        return 1


def is_bot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "").lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)


def client_ip(request) -> str:
    """The visitor's address as our nginx saw it: behind the proxy REMOTE_ADDR is nginx's own for every visitor,
    which would make the poll's per-address limit one limit for the whole province."""
    return proxied_client_ip(request) or ""


def hashed(*parts: str) -> str:
    """A keyed hash, so no IP address is ever stored or cached in clear."""
    raw = "|".join([settings.SECRET_KEY, *parts]).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def record_article_view(article_id: int) -> int:
    return article_views.incr(article_id)


# The stored count changes only when a flush writes the buffer: cached, so an article served from the page cache
# costs no query. A flush drops it.
STORED_TTL = 60


def _stored_key(article_id) -> str:
    return f"portal:views:stored:{article_id}"


def article_view_total(article_id: int, *, count: bool) -> int:
    """The article's views, stored plus buffered, after counting this read when `count`."""
    cache, key = _cache(), _stored_key(article_id)
    if count:
        pending, stored = article_views.incr_and_get(article_id, also_get=key)  # one round trip for both
    else:
        pending, stored = article_views.pending(article_id), cache.get(key)
    if stored is None:
        stored = Article.objects.filter(pk=article_id).values_list("view_count", flat=True).first() or 0
        cache.add(key, stored, STORED_TTL)
    return stored + pending


def flush_article_views() -> int:
    def apply(member, count):
        Article.objects.filter(pk=int(member)).update(view_count=F("view_count") + count)
        # Now, and again at commit: a reader between the two cached the count from before this update.
        _cache().delete(_stored_key(member))
        transaction.on_commit(lambda: _cache().delete(_stored_key(member)))

    return article_views.drain(apply)


# Visits -------------------------------------------------------------------------------------------------------

ONLINE_WINDOW = 300  # seconds: "online now" counts distinct visitors in the current five-minute window


def record_visit(request) -> None:
    """Count a visitor once per day and once per five-minute window: one cache round trip for a returning reader."""
    cache = _cache()
    visitor = hashed(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
    today = timezone.localdate()
    window = int(time.time() // ONLINE_WINDOW)
    seen_today = (f"portal:visit:seen:{today:%Y%m%d}:{visitor}", 26 * 3600)
    seen_now = (f"portal:online:seen:{window}:{visitor}", ONLINE_WINDOW * 2)
    if isinstance(cache, RedisCache):
        # Both "seen" marks in one round trip (SET NX EX is cache.add); a returning reader costs nothing more.
        pipe = cache._cache.get_client(write=True).pipeline(transaction=False)
        for key, timeout in (seen_today, seen_now):
            pipe.set(cache.make_and_validate_key(key), 1, nx=True, ex=timeout)
        try:
            with guarded(cache):
                new_today, new_now = (bool(added) for added in pipe.execute())
        except CacheUnavailable:
            return  # counters fail open: this visit goes uncounted, the page is served
    else:
        new_today, new_now = (cache.add(key, 1, timeout) for key, timeout in (seen_today, seen_now))
    if new_today:
        daily_visits.incr(f"{today:%Y%m%d}")
    if new_now:
        bump(f"portal:online:{window}", ONLINE_WINDOW * 3)


def flush_visits() -> int:
    def apply(member, count):
        day = datetime.strptime(member, "%Y%m%d").date()
        DailyVisit.objects.get_or_create(day=day)
        DailyVisit.objects.filter(day=day).update(visits=F("visits") + count)

    total = daily_visits.drain(apply)
    if total:
        _cache().delete(f"portal:visit-stats:{timezone.localdate():%Y%m%d}")
    return total


def visit_stats() -> dict:
    """Online now, today, yesterday, this month, total: the cached aggregate and the pending counts in one cache
    read (every public page shows them, even one served from the cache)."""
    cache = _cache()
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    month_start = today.replace(day=1)
    stored_key = f"portal:visit-stats:{today:%Y%m%d}"
    window = int(time.time() // ONLINE_WINDOW)
    keys = [
        daily_visits.key(f"{today:%Y%m%d}"),
        daily_visits.key(f"{yesterday:%Y%m%d}"),
        f"portal:online:{window}",
        f"portal:online:{window - 1}",
    ]
    found = cache.get_many([stored_key, *keys])
    stored = found.pop(stored_key, None)
    if stored is None:
        stored = DailyVisit.objects.aggregate(
            total=Sum("visits", default=0),
            today=Sum("visits", default=0, filter=Q(day=today)),
            yesterday=Sum("visits", default=0, filter=Q(day=yesterday)),
            month=Sum("visits", default=0, filter=Q(day__gte=month_start)),
        )
        cache.set(stored_key, stored, 60)
    live = {k: int(v or 0) for k, v in found.items()}
    pending_today, pending_yesterday = live.get(keys[0], 0), live.get(keys[1], 0)
    same_month = yesterday >= month_start
    return {
        "online": max(live.get(keys[2], 0), live.get(keys[3], 0), 1),
        "today": stored["today"] + pending_today,
        "yesterday": stored["yesterday"] + pending_yesterday,
        "month": stored["month"] + pending_today + (pending_yesterday if same_month else 0),
        "total": stored["total"] + pending_today + pending_yesterday,
    }
