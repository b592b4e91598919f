"""The pair itself: the replica is a real standby and lags by its apply delay."""

import psycopg
import pytest

from tests.infra.fixtures import pg_pair  # noqa: F401

pytestmark = pytest.mark.postgres


def test_a_row_reaches_the_replica_after_the_apply_delay(pg_pair):  # noqa: F811
    pg_pair.create_database("pgpair_check")
    with psycopg.connect(pg_pair.url("primary", "pgpair_check"), autocommit=True) as primary:
        primary.execute("CREATE TABLE t (v int)")
    pg_pair.wait_replicated()
    with psycopg.connect(pg_pair.url("primary", "pgpair_check"), autocommit=True) as primary:
        primary.execute("INSERT INTO t VALUES (1)")
    with psycopg.connect(pg_pair.url("replica", "pgpair_check"), autocommit=True) as replica:
        assert replica.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        assert replica.execute("SELECT count(*) FROM t").fetchone()[0] == 0  # not yet: the delay is real
    assert 1.5 < pg_pair.lag_seconds() < 10
    with psycopg.connect(pg_pair.url("replica", "pgpair_check"), autocommit=True) as replica:
        assert replica.execute("SELECT count(*) FROM t").fetchone()[0] == 1
