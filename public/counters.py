"""Counters buffered in Redis and flushed to the database by a beat task (public.tasks.flush_counters).

A read of an article or a visit costs one or two round trips, never a row update. The counts live in the cache
alias "counters" (PORTAL_COUNTERS_REDIS_URL: a Redis with noeviction, apart from the page cache), so neither a cache
clear nor an eviction drops them. With Redis `INCRBY` is atomic and the dirty ids live in a Redis set, so 1,000
concurrent views add exactly 1,000. With local memory (a newcomer's single process) a process lock guards the set.

A flush never holds a count only in its own memory: one atomic step (a Lua script) moves every pending count into a
batch (a Redis hash under a fresh id), the batch is written to the rows and recorded as applied (CounterBatch) in
one transaction, and only after the commit is it deleted. A flush killed at any point (time limit, out of memory,
SIGKILL) leaves its batch in Redis; the next flush first finishes the batches left behind, skipping one already
recorded, so nothing is lost and nothing counted twice. Two flushes at once: the second blocks on the first's
CounterBatch row and then skips the batch.
"""

import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from portal.cache import CacheUnavailable, guarded
from portal.cache import strict as strict_cache
from portal.security import client_ip as proxied_client_ip

from .models import Article, CounterBatch, DailyVisit

_local_lock = threading.Lock()

# Applied-batch records are kept this long; a flush finishes every batch left in Redis before it prunes them.
BATCH_RECORDS_KEPT = timedelta(days=7)

# Moves every dirty counter into the batch hash and records the batch, in one atomic step on the server.
# KEYS: dirty set, batch hash, set of batch ids; ARGV: the counters' key prefix, the batch id.
_TAKE_BATCH = """
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
for _, member in ipairs(members) do
  local key = ARGV[1] .. member
  local count = tonumber(redis.call('GET', key) or '0')
  redis.call('DEL', key)
  if count and count ~= 0 then redis.call('HINCRBY', KEYS[2], member, count) end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SADD', KEYS[3], ARGV[2])
  return 1
end
return 0
"""


def _cache():
    return caches["counters"]


def _pause(stage: str) -> None:
    """A pause point for the test that kills a real worker in the middle of a flush (tests/public): the worker is
    started with PORTAL_TEST_PAUSE_FLUSH=<stage> and sleeps there. Never set outside that test."""
    if os.environ.get("PORTAL_TEST_PAUSE_FLUSH") == stage:
        _cache().set("portal:flush-paused", stage, 60)
        time.sleep(float(os.environ.get("PORTAL_TEST_PAUSE_SECONDS", "30")))


class BufferedCounter:
    """Integer counters per member id (`<prefix>:<id>`), a registry of ids with pending counts, and the batches a
    flush has taken but not yet deleted (`<prefix>:batch:<id>`, listed in `<prefix>:batches`)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.dirty_key = f"{prefix}:dirty"
        self.batches_key = f"{prefix}:batches"

    def key(self, member) -> str:
        return f"{self.prefix}:{member}"

    def batch_key(self, batch: str) -> str:
        return f"{self.prefix}:batch:{batch}"

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
        """The count not yet taken by a flush (a batch being written is not included)."""
        return int(_cache().get(self.key(member)) or 0)

    def pending_many(self, members) -> dict:
        found = _cache().get_many([self.key(m) for m in members])
        return {m: int(found.get(self.key(m)) or 0) for m in members}

    def unapplied(self, member) -> int:
        """The member's count in batches taken by a flush but not yet written (a flush in progress, or one that
        died): with `pending`, everything counted that the database does not hold yet."""
        cache = _cache()
        batches = [b for b in self._batches(cache) if not CounterBatch.objects.filter(id=self._record_id(b)).exists()]
        return sum(self._batch_counts(cache, b).get(str(member), 0) for b in batches)

    def drain(self, apply: Callable[[str, int], None]) -> int:
        """Call `apply(member, count)` for every pending count, batch by batch, each batch in one transaction that
        also records it; first the batches an earlier flush left behind. Returns the total written."""
        cache = _cache()
        total = sum(self._apply_batch(cache, batch, apply) for batch in self._batches(cache))
        batch = self._take_batch(cache)
        if batch:
            total += self._apply_batch(cache, batch, apply)
        CounterBatch.objects.filter(applied_at__lt=timezone.now() - BATCH_RECORDS_KEPT).delete()
        return total

    def _record_id(self, batch: str) -> str:
        return f"{self.prefix}:{batch}"

    def _apply_batch(self, cache, batch: str, apply) -> int:
        counts = self._batch_counts(cache, batch)
        written = 0
        if counts:
            with transaction.atomic():
                try:
                    # First, so a second flush of the same batch waits here for the first one's commit, then skips.
                    with transaction.atomic():
                        CounterBatch.objects.create(id=self._record_id(batch))
                except IntegrityError:
                    counts = {}  # written by a flush that died before it deleted the batch
                for member, count in counts.items():
                    apply(member, count)
                written = sum(counts.values())
                _pause("before-commit")
            _pause("after-commit")
        self._forget_batch(cache, batch)
        return written

    # Batches: Redis hashes and a set when the store is Redis, else dicts and a set under keys behind a process lock.
    def _take_batch(self, cache) -> str | None:
        batch = uuid.uuid4().hex
        client, dirty_key = self._redis(cache)
        if client is not None:
            keys = [dirty_key, cache.make_and_validate_key(self.batch_key(batch))]
            keys.append(cache.make_and_validate_key(self.batches_key))
            counter_prefix = cache.make_and_validate_key(self.key(""))
            return batch if client.eval(_TAKE_BATCH, len(keys), *keys, counter_prefix, batch) else None
        with _local_lock:  # incr and decr are atomic in locmem; the lock orders flushes against each other
            counts = {}
            for member in sorted(cache.get(self.dirty_key) or set()):
                count = int(cache.get(self.key(member)) or 0)
                if count:
                    cache.decr(self.key(member), count)  # not deleted: a concurrent incr may be between add and incr
                    counts[member] = count
            cache.delete(self.dirty_key)
            if not counts:
                return None
            cache.set(self.batch_key(batch), counts, None)
            cache.set(self.batches_key, (cache.get(self.batches_key) or set()) | {batch}, None)
            return batch

    def _batches(self, cache) -> list[str]:
        client, _ = self._redis(cache)
        if client is not None:
            found = client.smembers(cache.make_and_validate_key(self.batches_key))
            return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in found)
        return sorted(cache.get(self.batches_key) or set())

    def _batch_counts(self, cache, batch: str) -> dict[str, int]:
        client, _ = self._redis(cache)
        if client is not None:
            found = client.hgetall(cache.make_and_validate_key(self.batch_key(batch)))
            return {(m.decode() if isinstance(m, bytes) else str(m)): int(c) for m, c in found.items()}
        return dict(cache.get(self.batch_key(batch)) or {})

    def _forget_batch(self, cache, batch: str) -> None:
        client, _ = self._redis(cache)
        if client is not None:
            pipe = client.pipeline(transaction=True)
            pipe.delete(cache.make_and_validate_key(self.batch_key(batch)))
            pipe.srem(cache.make_and_validate_key(self.batches_key), batch)
            pipe.execute()
            return
        with _local_lock:
            cache.delete(self.batch_key(batch))
            cache.set(self.batches_key, (cache.get(self.batches_key) or set()) - {batch}, None)

    # The registry: a Redis set when the store is Redis, else a set kept under one key behind a process lock.
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


article_views = BufferedCounter("portal:views")
daily_visits = BufferedCounter("portal:visits")

# Crawlers and tools: their requests count neither as views nor as visits.
BOT_MARKERS = (
    "bot", "crawl", "spider", "slurp", "curl", "wget", "python-requests", "httpx", "headless", "facebookexternalhit",
    "preview", "monitor", "scan", "lighthouse",
)  # fmt: skip


def bump(key: str, timeout: int, *, strict: bool = False, cache=None) -> int:
    """Add one to a counter that expires `timeout` seconds after its first use; never raises if it just expired.
    In the default cache (rate limits) unless told otherwise.

    When the cache cannot answer, the count is 1 (a limiter built on it fails open), or, when `strict`,
    CacheUnavailable is raised (for a limiter that fails closed)."""
    cache = caches["default"] if cache is None else cache
    if strict:
        cache = strict_cache(cache)
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
    """The article's views, stored plus buffered, after counting this read when `count`: one round trip."""
    cache, key = _cache(), _stored_key(article_id)
    if count:
        pending, stored = article_views.incr_and_get(article_id, also_get=key)  # one round trip for both
    else:
        found = cache.get_many([article_views.key(article_id), key])
        pending, stored = int(found.get(article_views.key(article_id)) or 0), found.get(key)
    return _with_stored(article_id, stored) + pending


def _with_stored(article_id: int, stored) -> int:
    if stored is None:
        stored = Article.objects.filter(pk=article_id).values_list("view_count", flat=True).first() or 0
        _cache().add(_stored_key(article_id), stored, STORED_TTL)
    return stored


def article_read(request, article_id: int) -> int:
    """Count a reader's read of a cached article and their visit (what VisitCounterMiddleware would count after
    the response) in one pipelined round trip, and return the article's total views.

    The round trip adds the view (INCRBY, SADD), reads the stored count, and marks the visitor seen today and in
    this five-minute window (SET NX EX); only a visitor new today or in the window costs a second one (the day's
    and the window's counters). The request is then marked so the middleware does not count the visit again."""
    cache = _cache()
    if not isinstance(cache, RedisCache):
        return article_view_total(article_id, count=True)  # local memory: the middleware counts the visit
    today, window, marks = _visit_marks(request)
    count_visit = request.method == "GET"  # as VisitCounterMiddleware: a HEAD is not a visit
    key = cache.make_and_validate_key
    pipe = cache._cache.get_client(write=True).pipeline(transaction=False)
    pipe.incrby(key(article_views.key(article_id)), 1)
    pipe.sadd(key(article_views.dirty_key), str(article_id))
    pipe.get(key(_stored_key(article_id)))
    if count_visit:
        for mark, timeout in marks:
            pipe.set(key(mark), 1, nx=True, ex=timeout)
    try:
        with guarded(cache):
            pending, _, raw, *new = pipe.execute()
    except CacheUnavailable:
        return article_view_total(article_id, count=False)  # counters fail open; this read goes uncounted
    stored = None if raw is None else cache._cache._serializer.loads(raw)
    if count_visit:
        setattr(request, VISIT_RECORDED, True)
        _visit_seen(cache, today, window, *(bool(added) for added in new))
    return _with_stored(article_id, stored) + int(pending)


def flush_article_views() -> int:
    def apply(member, count):
        Article.objects.filter(pk=int(member)).update(view_count=F("view_count") + count)
        # Now, and again at commit: a reader between the two cached the count from before this update.
        _cache().delete(_stored_key(member))
        transaction.on_commit(lambda: _cache().delete(_stored_key(member)))

    return article_views.drain(apply)


# Visits -------------------------------------------------------------------------------------------------------

ONLINE_WINDOW = 300  # seconds: "online now" counts distinct visitors in the current five-minute window


# Set on a request whose visit was counted before the response (article_read), so the middleware skips it.
VISIT_RECORDED = "_portal_visit_recorded"


def _visit_marks(request):
    """Today, the five-minute window, and the two "seen" keys of this visitor with their lifetimes."""
    visitor = hashed(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
    today = timezone.localdate()
    window = int(time.time() // ONLINE_WINDOW)
    seen_today = (f"portal:visit:seen:{today:%Y%m%d}:{visitor}", 26 * 3600)
    seen_now = (f"portal:online:seen:{window}:{visitor}", ONLINE_WINDOW * 2)
    return today, window, (seen_today, seen_now)


def _visit_seen(cache, today, window, new_today: bool, new_now: bool) -> None:
    if new_today:
        daily_visits.incr(f"{today:%Y%m%d}")
    if new_now:
        bump(f"portal:online:{window}", ONLINE_WINDOW * 3, cache=cache)


def record_visit(request) -> None:
    """Count a visitor once per day and once per five-minute window: one cache round trip for a returning reader."""
    if getattr(request, VISIT_RECORDED, False):
        return
    cache = _cache()
    today, window, marks = _visit_marks(request)
    if isinstance(cache, RedisCache):
        # Both "seen" marks in one round trip (SET NX EX is cache.add); a returning reader costs nothing more.
        pipe = cache._cache.get_client(write=True).pipeline(transaction=False)
        for key, timeout in marks:
            pipe.set(cache.make_and_validate_key(key), 1, nx=True, ex=timeout)
        try:
            with guarded(cache):
                new_today, new_now = (bool(added) for added in pipe.execute())
        except CacheUnavailable:
            return  # counters fail open: this visit goes uncounted, the page is served
    else:
        new_today, new_now = (cache.add(key, 1, timeout) for key, timeout in marks)
    _visit_seen(cache, today, window, new_today, new_now)


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
