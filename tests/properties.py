"""How property tests run: reproducible in `make test` and CI, random and long in `make fuzz`.

Profiles (chosen by HYPOTHESIS_PROFILE, loaded by tests/conftest.py):
- `ci` (the default): derandomised, so every run tries the same examples and a red build is red again on a rerun;
  no example database, so nothing a previous run found changes what this one tries.
- `fuzz`: random seeds, the example database in .hypothesis/ (a failure found once is tried first next time), and
  each test's example count multiplied by FUZZ_FACTOR (default 12). A failing example it finds is then written
  into the test as an explicit `@example`, so `make test` keeps it.

Tests state their example count through `examples(n)`, never a bare `max_examples=n`, so the fuzz profile can
raise it.
"""

import os

from hypothesis import HealthCheck, settings

SLOW_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=SLOW_FIXTURES,
)
settings.register_profile("fuzz", deadline=None, print_blob=True, suppress_health_check=SLOW_FIXTURES)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FACTOR = int(os.environ.get("FUZZ_FACTOR", "12")) if PROFILE == "fuzz" else 1


def load():
    settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """The example count for a test that asks for `n` in `make test`."""
    return n * FACTOR


class EachExampleRolledBack:
    """A mixin for a RuleBasedStateMachine over the database: each example runs in a savepoint rolled back at its
    end, so the next example starts from the test's data again, and the commit callbacks the example registered (a
    test's transaction never commits, so they pile up) are dropped with it. Put it first among the bases."""

    def __init__(self):
        from django.db import transaction

        self._example_block = transaction.atomic()
        self._example_block.__enter__()
        super().__init__()

    def teardown(self):
        from django.db import transaction

        try:
            super().teardown()
        finally:
            transaction.set_rollback(True)
            self._example_block.__exit__(None, None, None)
