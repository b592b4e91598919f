"""What anonymous readers are served from the cache, and when it goes stale.

Everything cached for the public is keyed on one content version. Each app names the models whose changes make
public pages stale (`watch`, from its AppConfig.ready): a save or delete of any of them bumps the version, so every
cached page and list is rebuilt on its next read. Pages also change without a save, when the clock reaches a time
that was set in advance (a scheduled article); each app that has such times registers a function giving the next
one (`expires_at`), and nothing cached lives past the earliest.

Each process remembers the version for a second: a page served from the cache then costs one cache read, not two.
Another process's bump is seen within VERSION_MEMO_SECONDS; this process's own bump at once.

The version is bumped when the transaction that changed a watched row commits, and what is cached right after a
bump is built from the primary, not from a replica that may lag: the rules and their reasons are portal.versioned's,
whose `watch` and `bump_on_commit` this module shares ("content" is the name of its version there).
"""

import hashlib
import time
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import cached_property

from . import versioned
from .replica import primary_reads

VERSION_KEY = "portal:content-version"
FRESH_KEY = versioned.fresh_key(VERSION_KEY)
NAME = "content"
HOME_TTL = 300  # seconds: the longest anything public stays cached

VERSION_MEMO_SECONDS = 1.0
_memo = {"version": None, "fresh": False, "until": 0.0}

# Functions of `now` giving the next time public content changes by itself (or None): registered by the apps.
_EXPIRIES: dict[str, Callable[[datetime], datetime | None]] = {}
# Functions called by `forget_local`, for what other modules remember of the cache in this process.
_FORGETTERS: dict[str, Callable[[], None]] = {}
# Functions called after each bump of the content version: work that follows a change of public content.
_AFTER_BUMP: dict[str, Callable[[], None]] = {}


def content_state() -> tuple[int, bool]:
    """The content version, and whether it was bumped so recently that what is built now must read the primary."""
    dirty()  # in Django's TestCase, the bumps of the code's ended transactions (portal.versioned._settle)
    now = time.monotonic()
    if _memo["version"] is not None and now < _memo["until"]:
        return _memo["version"], _memo["fresh"]
    found = cache.get_many([VERSION_KEY, FRESH_KEY])
    version = found.get(VERSION_KEY)
    if version is None:
        version = versioned.new_version()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    _memo.update(version=version, fresh=FRESH_KEY in found, until=now + VERSION_MEMO_SECONDS)
    return version, _memo["fresh"]


def content_version() -> int:
    return content_state()[0]


def bump_content_version(*args, **kwargs) -> None:
    """Make everything cached for the public stale now (for changes that send no signal: a bulk_create, a raw
    update); inside a transaction, prefer `bump_on_commit`."""
    _memo["until"] = 0.0
    versioned.bump_key(VERSION_KEY)
    for follow in _AFTER_BUMP.values():
        follow()


def bump_on_commit() -> None:
    """Make everything cached for the public stale when the current transaction commits."""
    versioned.bump_on_commit(NAME, bump_content_version)


def dirty() -> bool:
    """Whether this thread's transaction changed public content that is not committed yet (see portal.versioned)."""
    return versioned.dirty(NAME)


def watch(*labels: str, m2m: tuple = ()) -> None:
    """Bump the content version when a transaction that saved or deleted a row of these models ("app.Model"), or
    changed one of these many-to-many relations ("app.Model.field"), commits."""
    versioned.watch(NAME, *labels, m2m=m2m, bump_now=bump_content_version)


def expires_at(name: str, next_change: Callable[[datetime], datetime | None]) -> None:
    """Register `next_change(now)`: when public content next changes by the clock alone (None: not planned)."""
    _EXPIRIES[name] = next_change


def after_bump(name: str, follow: Callable[[], None]) -> None:
    """Register `follow()`, called after each bump of the content version (it must be quick and never raise)."""
    _AFTER_BUMP[name] = follow


def remembers(name: str, forget: Callable[[], None]) -> None:
    """Register `forget()`, which drops what a module remembers of the cache in this process (see forget_local)."""
    _FORGETTERS[name] = forget


def cache_ttl() -> int:
    """Seconds a cached public read may live: HOME_TTL, or less when content changes by the clock sooner."""
    now = timezone.now()
    upcoming = [when for when in (next_change(now) for next_change in _EXPIRIES.values()) if when]
    if not upcoming:
        return HOME_TTL
    return max(1, min(HOME_TTL, int((min(upcoming) - now).total_seconds()) + 1))


def forget_local() -> None:
    """Drop what this process remembers of the cache (tests, after clearing it)."""
    _memo["until"] = 0.0
    for forget in _FORGETTERS.values():
        forget()


def cached(name: str, build, *, use_cache: bool = True):
    """`build()`'s result, cached under `name` until content changes or the next planned change is due."""
    if not use_cache or dirty():
        return build()
    version, fresh = content_state()
    key = f"portal:{name}:v{version}"
    data = cache.get(key)
    if data is None:
        with primary_reads(fresh):
            data = build()
        cache.set(key, data, cache_ttl())
    return data


def query_key(params) -> str:
    """A short cache key for a public list's filters (the GET parameters but the page number)."""
    pairs = sorted((k, v) for k in params for v in params.getlist(k) if k != "page")
    return hashlib.sha1(repr(pairs).encode()).hexdigest()[:16]


class CachedCountPaginator(Paginator):
    """A Paginator whose total is cached with the content version: at scale the COUNT(*) of a public list
    (50,000 articles, 20,000 documents) cost more than reading the page itself. `count_key` names the list
    and its filters."""

    def __init__(self, object_list, per_page, *, count_key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return cached(f"count:{self.count_key}", lambda: Paginator.count.func(self))
