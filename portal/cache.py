"""Django's Redis cache, made to degrade: Redis down or slow costs speed, never a page.

Redis is a cache here. When it refuses connections or does not answer within the socket timeouts (settings:
PORTAL_CACHE_CONNECT_TIMEOUT, PORTAL_CACHE_SOCKET_TIMEOUT), every ordinary call answers as a miss: `get` gives the
default, `set` and `delete` do nothing, `add` and `touch` say False, `incr` gives `delta` as if the key were new. The
caller then reads the database, as on a cold cache. After a failure the cache is not asked again for
RETRY_SECONDS in this process, so a page costs at most one timeout, not one per cache call; and the failure is
logged at most once every LOG_SECONDS per process, not once per request.

A caller for whom a miss is not harmless (a limiter that must fail closed, /healthz) asks through `strict(cache)`,
whose calls raise CacheUnavailable instead; `guarded(cache)` does the same around a caller's own use of the Redis
client (pipelines).

Django's RedisCacheClient.get_client() also constructs a new `redis.Redis` object for every cache operation; that
constructor costs more than the round trip itself on a page served from the cache (measured with cProfile on a
cached home page: about a sixth of its time). The client is a thin, thread-safe front to its pool, so one per pool
is enough; the pool still checks the process id, so a forked worker opens its own connections.
"""

import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("portal.cache")

# What a cache that is down, slow or full raises: refused or reset connections, timeouts, and Redis's own errors
# (OOM with noeviction, LOADING after a restart).
CACHE_ERRORS = (RedisError, OSError)
RETRY_SECONDS = 5.0
LOG_SECONDS = 60.0

_lock = threading.Lock()
_failed_until: dict[str, float] = {}  # per server location: monotonic time until which it is not asked
_logged_at: dict[str, float] = {}  # per server location: monotonic time of the last log record


def release_key(key: str, key_prefix: str, version) -> str:
    """Django's key (`prefix:version:key`, the prefix naming the release; settings.PORTAL_RELEASE), but one key for
    every release when the name starts with one of settings.PORTAL_CACHE_SHARED_KEYS: numbers every process must
    share whatever code it runs (a content version, a rate limit), which Django's Redis cache stores as plain
    integers, never as pickles."""
    if key.startswith(tuple(getattr(settings, "PORTAL_CACHE_SHARED_KEYS", ()))):
        return f"shared:{version}:{key}"
    return f"{key_prefix}:{version}:{key}"


class CacheUnavailable(Exception):
    """The cache could not answer (down, timing out, failing): for callers that must not read that as a miss."""


def forget_failures() -> None:
    """Ask every cache again at once and log its next failure (tests)."""
    with _lock:
        _failed_until.clear()
        _logged_at.clear()


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": getattr(settings, "PORTAL_CACHE_CONNECT_TIMEOUT", 0.25),
            "socket_timeout": getattr(settings, "PORTAL_CACHE_SOCKET_TIMEOUT", 0.5),
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)

    # The circuit: skip a cache that failed a moment ago, and log a failure once a minute.
    def resting(self) -> bool:
        return time.monotonic() < _failed_until.get(self._location, 0.0)

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with _lock:
            _failed_until[self._location] = now + RETRY_SECONDS
            last = _logged_at.get(self._location)
            if last is not None and now - last < LOG_SECONDS:
                return
            _logged_at[self._location] = now
        logger.warning(
            "Cache unavailable (%s: %s); serving from the database, asking again in %d s",
            exc.__class__.__name__,
            exc,
            RETRY_SECONDS,
        )

    def _soft(self, miss, method, *args, **kwargs):
        if self.resting():
            return miss
        try:
            return method(*args, **kwargs)
        except CACHE_ERRORS as exc:
            self.failed(exc)
            return miss

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._soft(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft([], super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._soft(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        # decr() goes through here too (BaseCache.decr is incr(-delta)).
        return self._soft(delta, super().incr, key, delta, version)

    def clear(self):
        return self._soft(False, super().clear)


class _Strict:
    """The calls of a RedisCache that raise CacheUnavailable rather than answer as a miss (see `strict`)."""

    def __init__(self, backend: RedisCache):
        self._backend = backend

    def _call(self, method, *args):
        with guarded(self._backend):
            return method(self._backend, *args)

    def get(self, key, default=None, version=None):
        return self._call(DjangoRedisCache.get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call(DjangoRedisCache.get_many, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(DjangoRedisCache.set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(DjangoRedisCache.add, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._call(DjangoRedisCache.delete, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call(DjangoRedisCache.incr, key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._call(DjangoRedisCache.incr, key, -delta, version)


def _backend(backend):
    """The backend itself for `django.core.cache.cache`, a proxy to this thread's default cache."""
    from django.core.cache import cache, caches

    return caches["default"] if backend is cache else backend


def strict(backend):
    """`backend`, but its calls raise CacheUnavailable when the cache cannot answer (for a limiter that fails
    closed, or a health check). A cache other than ours (local memory) cannot be unavailable: itself."""
    backend = _backend(backend)
    return _Strict(backend) if isinstance(backend, RedisCache) else backend


@contextmanager
def guarded(backend):
    """Around a caller's own use of `backend`'s Redis client: CacheUnavailable at once while the cache rests after
    a failure, and in place of (and recorded as) any failure of the cache."""
    backend = _backend(backend)
    if not isinstance(backend, RedisCache):
        yield
        return
    if backend.resting():
        raise CacheUnavailable("the cache failed less than a few seconds ago")
    try:
        yield
    except CACHE_ERRORS as exc:
        backend.failed(exc)
        raise CacheUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
