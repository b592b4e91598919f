"""Values cached under a named version that signals bump when what they were built from changes.

`cached(name, key, build)` reads the version and the stored value in one cache round trip and rebuilds when the
stored value was built under another version; `bump(name)` makes every value of that name stale at once. The
public pages' content version (portal.contentcache) keeps its own per-process memo but bumps the same way.

Bumped on commit, never before. A bump made when a save is sent, before its transaction commits, let any other
process rebuild from the rows not yet committed and keep the old data under the new version. So a bump waits for
the commit (`transaction.on_commit`: a rolled-back change bumps nothing), and until then the transaction that made
the change is "dirty" for that name (`dirty`): inside it, `cached` builds from its own rows and stores nothing.
In Django's TestCase, whose outer transactions stand for autocommit and never commit, a change made outside any
atomic block of the code under test bumps at once, and one made inside such a block bumps at the next cache read
after the block has ended (`_settle`), as if it had committed then: in production there is no such block.

Rebuilt from the primary. With a read replica (config.routers), rows committed a moment ago may not have reached it:
a value rebuilt there right after a bump would hold the old rows under the new version, until the next change. So
each bump also marks the name "fresh" in the cache for PORTAL_REPLICA_PIN_SECONDS (a key that expires by itself,
so no clock is compared between hosts); a value built while the mark is there is built with reads pinned to the
primary (portal.replica). The pin window must exceed the replica's lag, which /healthz reports.
"""

import itertools
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .replica import pin_seconds, primary_reads

TIMEOUT = 3600


def _version_key(name: str) -> str:
    return f"portal:version:{name}"


def fresh_key(version_key: str) -> str:
    """The key that says a version was bumped less than the pin window ago."""
    return f"{version_key}:fresh"


def new_version() -> int:
    # Microseconds: a version made after a cache flush is always above any version stored before it.
    return int(timezone.now().timestamp() * 1_000_000)


def bump_key(version_key: str) -> None:
    """Bump the version stored at `version_key` now, marking it fresh first: whoever sees the new version also
    sees the mark (until it expires)."""
    cache.set(fresh_key(version_key), True, pin_seconds())
    try:
        cache.incr(version_key)
    except ValueError:
        cache.set(version_key, new_version(), None)


class _Bump:
    """A bump waiting for its transaction's commit, recognisable among the pending callbacks (`dirty`)."""

    def __init__(self, name: str, bump_now):
        self.name, self.bump_now = name, bump_now

    def __call__(self):
        self.bump_now()


def _pending(connection):
    """The bumps among the connection's commit callbacks, as (savepoint ids, bump).

    A long transaction (an import, a test's whole body) holds thousands of callbacks and asks this at every saved
    row, so the scan is incremental: Django only appends to `run_on_commit` in place and replaces the list whenever
    it drops entries (a savepoint rolled back, a commit), and `_settle` says when it rewrote entries itself."""
    hooks = connection.run_on_commit
    state = getattr(connection, "_portal_bumps", None)
    if state is None or state[0] is not hooks or state[1] > len(hooks):
        state = (hooks, 0, [])
    _, seen, found = state
    for sids, hook, *_ in itertools.islice(hooks, seen, None):
        if isinstance(hook, _Bump):
            found.append((sids, hook))
    connection._portal_bumps = (hooks, len(hooks), found)
    return found


def _only_testcase(connection) -> bool:
    # Django marks the atomic blocks its TestCase opens (a private attribute): read it defensively, so that a
    # Django without it makes every block a real one, which is what production has anyway.
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _spent() -> None:
    """A bump `_settle` has already run."""


def _settle(connection) -> None:
    """Run the bumps of blocks that have ended inside Django's TestCase (whose own transactions never commit).

    Each is replaced in place by `_spent`, not removed: Django's captureOnCommitCallbacks finds the callbacks
    registered in its block by their position in the list, and a removal before them would hide them."""
    if connection.in_atomic_block and _only_testcase(connection) and _pending(connection):
        bumps = []
        for index, entry in enumerate(connection.run_on_commit):
            if isinstance(entry[1], _Bump):
                bumps.append(entry[1])
                connection.run_on_commit[index] = (entry[0], _spent, *entry[2:])
        connection._portal_bumps = None  # entries rewritten in place: `_pending` scans again
        for bump_now in bumps:
            bump_now()


def bump_on_commit(name: str, bump_now) -> None:
    """Call `bump_now()` when the current transaction commits (at once outside one); one per transaction and name."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block or _only_testcase(connection):
        bump_now()
        return
    savepoints = set(connection.savepoint_ids)
    # One pending bump is enough, unless it was registered in a savepoint that may still roll back without this one.
    if any(hook.name == name and sids <= savepoints for sids, hook in _pending(connection)):
        return
    transaction.on_commit(_Bump(name, bump_now))


def dirty(name: str) -> bool:
    """Whether this thread's transaction changed what `name` is built from and has not committed yet."""
    connection = transaction.get_connection()
    _settle(connection)
    return connection.in_atomic_block and any(hook.name == name for _, hook in _pending(connection))


def bump(name: str) -> None:
    """Make every value of `name` stale when the current transaction commits."""
    bump_on_commit(name, partial(bump_key, _version_key(name)))


def bump_now(name: str) -> None:
    """Make every value of `name` stale now (what `watch` does on commit, for a `bump_now` that does more)."""
    bump_key(_version_key(name))


def _changed(name, bump_now, sender, **kwargs):
    bump_on_commit(name, bump_now)


def watch(name: str, *labels: str, m2m: tuple = (), bump_now=None) -> None:
    """Bump version `name` when a transaction that saved or deleted a row of these models ("app.Model"), or changed
    one of these many-to-many relations ("app.Model.field"), commits. `bump_now` does the bump (default: the named
    version's)."""
    from django.apps import apps

    receiver = partial(_changed, name, bump_now or partial(bump_key, _version_key(name)))
    for label in labels:
        model = apps.get_model(label)
        uid = f"portal.version.{name}.{label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.delete")
    for dotted in m2m:
        label, field = dotted.rsplit(".", 1)
        through = getattr(apps.get_model(label), field).through
        m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"portal.version.{name}.{dotted}")


def version(name: str):
    """The current version of `name` (made on first use); None when the cache cannot keep one."""
    return state(name)[0]


def state(name: str) -> tuple:
    """The current version of `name` (made on first use), and whether it was bumped so recently (the replica pin
    window) that what is built from it now must read the primary: in one cache round trip."""
    version_key = _version_key(name)
    found = cache.get_many([version_key, fresh_key(version_key)])
    current = found.get(version_key)
    if current is None:
        cache.add(version_key, new_version(), None)
        current = cache.get(version_key)
    return current, fresh_key(version_key) in found


def cached(name: str, key: str, build, timeout: int = TIMEOUT):
    if dirty(name):
        return build()
    version_key = _version_key(name)
    found = cache.get_many([version_key, fresh_key(version_key), key])
    version = found.get(version_key)
    if version is None:
        cache.add(version_key, new_version(), None)
        version = cache.get(version_key)
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    with primary_reads(fresh_key(version_key) in found):
        value = build()
    cache.set(key, (version, value), timeout)
    return value
