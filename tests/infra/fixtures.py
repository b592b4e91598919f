"""pytest fixtures over tests.infra: import them into a conftest (`from tests.infra.fixtures import pg_pair`).

`pg_pair` is one primary + replica pair for the whole session (about 3 s to start, 2 s apply delay); tests that use
it are PostgreSQL-only: skipped when the suite runs on SQLite (the PostgreSQL run starts the pair once) and where
the server binaries are missing (CI installs them).
"""

import shutil
import tempfile

import pytest

from tests.infra import pgpair


@pytest.fixture(scope="session")
def pg_pair():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the replica tests run in the PostgreSQL suite")
    if not pgpair.binaries_available():
        pytest.skip(f"PostgreSQL server binaries not found in {pgpair.BIN} (set PORTAL_PG_BIN)")
    # Not under pytest's own temporary folder: that one is private to root, and the server runs as `postgres`.
    workdir = tempfile.mkdtemp(prefix="pgpair-")
    pair = pgpair.start_pair(workdir, delay="2s")
    try:
        yield pair
    finally:
        pair.stop()
        shutil.rmtree(workdir, ignore_errors=True)
