"""Values cached under a named version that signals bump when what they were built from changes.

`cached(name, key, build)` reads the version and the stored value in one cache round trip and rebuilds when the
stored value was built under another version; `bump(name)` makes every value of that name stale at once. The
public pages' content version (portal.contentcache) predates this and keeps its own per-process memo.
"""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

TIMEOUT = 3600


def _version_key(name: str) -> str:
    return f"portal:version:{name}"


def _new_version() -> int:
    # Microseconds: a version made after a cache flush is always above any version stored before it.
    return int(timezone.now().timestamp() * 1_000_000)


def _bump_now(name: str) -> None:
    try:
        cache.incr(_version_key(name))
    except ValueError:
        cache.set(_version_key(name), _new_version(), None)


def bump(name: str) -> None:
    """Now, and again when the transaction commits: a reader that rebuilt between the two, from rows not yet
    committed, would otherwise keep the old data until the next change."""
    _bump_now(name)
    transaction.on_commit(lambda: _bump_now(name))


def version(name: str):
    """The current version of `name` (made on first use); None when the cache cannot keep one."""
    version_key = _version_key(name)
    current = cache.get(version_key)
    if current is None:
        cache.add(version_key, _new_version(), None)
        current = cache.get(version_key)
    return current


def cached(name: str, key: str, build, timeout: int = TIMEOUT):
    version_key = _version_key(name)
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:
        cache.add(version_key, _new_version(), None)
        version = cache.get(version_key)
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    value = build()
    cache.set(key, (version, value), timeout)
    return value
