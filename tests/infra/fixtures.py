"""Session fixtures over the real servers in tests/infra, for any test folder (tests/conftest.py imports them).

`s3_server`: one SeaweedFS for the whole run, with two buckets: MEDIA_BUCKET, whose MEDIA_PREFIX anonymous clients
may read (as the site's nginx does for /media/), and PRIVATE_BUCKET, which answers only signed requests.

`pg_pair` is one primary + replica pair for the whole session (about 3 s to start, 2 s apply delay); tests that use
it are PostgreSQL-only and are skipped where the server binaries are missing (CI installs them).
"""

import shutil
import tempfile

import pytest

from tests.infra import pgpair

from .s3 import s3_server as _s3_server

MEDIA_BUCKET = "portal-media"
MEDIA_PREFIX = "media"  # settings.AWS_LOCATION's default
PRIVATE_BUCKET = "portal-private"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    with _s3_server(tmp_path_factory.mktemp("seaweedfs"), public_read=[f"{MEDIA_BUCKET}/{MEDIA_PREFIX}"]) as server:
        server.create_bucket(MEDIA_BUCKET)
        server.create_bucket(PRIVATE_BUCKET)
        yield server


@pytest.fixture(scope="session")
def pg_pair():
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
