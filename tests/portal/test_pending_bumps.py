"""The bumps waiting for a commit are found by an incremental scan of the connection's commit callbacks
(portal.versioned._pending): whatever sequence of callbacks, bumps, savepoints kept or rolled back and settlements,
the scan gives exactly what a full scan of the list gives."""

from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import versioned
from tests.properties import examples

OPS = st.lists(st.sampled_from(["bump-a", "bump-b", "callback", "enter", "keep", "roll-back", "settle"]), max_size=40)


def _full_scan():
    return [(sids, hook) for sids, hook, *_ in connection.run_on_commit if isinstance(hook, versioned._Bump)]


@settings(max_examples=examples(150))
@given(ops=OPS)
def test_the_incremental_scan_equals_a_full_scan(db, ops):
    # Like a test's own transaction (never committed): bumps made in real blocks inside it wait in the list, and
    # `_settle` runs them once only such blocks are left.
    outer = transaction.atomic()
    outer._from_testcase = True
    outer.__enter__()
    blocks = []
    try:
        for op in ops:
            if op.startswith("bump-"):
                versioned.bump_on_commit(op, lambda: None)
            elif op == "callback":
                transaction.on_commit(lambda: None)
            elif op == "enter":
                blocks.append(transaction.atomic())
                blocks[-1].__enter__()
            elif op in ("keep", "roll-back") and blocks:
                if op == "roll-back":
                    transaction.set_rollback(True)
                blocks.pop().__exit__(None, None, None)
            elif op == "settle":
                versioned._settle(connection)
            assert versioned._pending(connection) == _full_scan(), ops
    finally:
        while blocks:
            transaction.set_rollback(True)
            blocks.pop().__exit__(None, None, None)
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_a_long_transaction_asks_for_its_bumps_in_constant_time_per_row(db):
    """Ten thousand callbacks waiting: each new question reads only what was added since the last one."""
    with transaction.atomic():
        for _ in range(10_000):
            transaction.on_commit(lambda: None)
        versioned._pending(connection)
        hooks, seen, _ = connection._portal_bumps
        assert hooks is connection.run_on_commit and seen == 10_000
        versioned.bump_on_commit("x", lambda: None)
        assert [hook.name for _, hook in versioned._pending(connection)] == ["x"]
        transaction.set_rollback(True)
