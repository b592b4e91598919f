"""Session fixtures over the real servers in tests/infra, for any test folder (tests/conftest.py imports them).

`s3_server`: one SeaweedFS for the whole run, with two buckets: MEDIA_BUCKET, whose MEDIA_PREFIX anonymous clients
may read (as the site's nginx does for /media/), and PRIVATE_BUCKET, which answers only signed requests.

`pg_pair` is one primary + replica pair for the whole session (about 3 s to start, 2 s apply delay); tests that use
it are PostgreSQL-only: skipped when the suite runs on SQLite (the PostgreSQL run starts the pair once) and where
the server binaries are missing (CI installs them).
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


def object_storages(server) -> dict:
    """STORAGES' "default" and "private" as config/settings.py builds them with AWS_STORAGE_BUCKET_NAME and
    PORTAL_PRIVATE_BUCKET_NAME set, pointed at `server` (AWS_S3_ADDRESSING_STYLE=path, as for MinIO or SeaweedFS)."""
    connection = {
        "endpoint_url": server.endpoint_url,
        "region_name": server.region,
        "access_key": server.access_key,
        "secret_key": server.secret_key,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "file_overwrite": False,
    }
    return {
        "default": {
            "BACKEND": "portal.s3storage.PublicMediaStorage",
            "OPTIONS": {**connection, "bucket_name": MEDIA_BUCKET, "location": MEDIA_PREFIX},
        },
        "private": {
            "BACKEND": "portal.s3storage.PrivateS3Storage",
            "OPTIONS": {
                **connection,
                "bucket_name": PRIVATE_BUCKET,
                "location": "",
                "custom_domain": None,
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
    }


@pytest.fixture
def s3_storages(settings, s3_server):
    """Public media and private files on the session's SeaweedFS for one test; both buckets are emptied after it."""
    settings.STORAGES = {**settings.STORAGES, **object_storages(s3_server)}
    settings.AWS_STORAGE_BUCKET_NAME = MEDIA_BUCKET
    settings.PORTAL_PRIVATE_BUCKET_NAME = PRIVATE_BUCKET
    try:
        yield s3_server
    finally:
        s3_server.empty_bucket(MEDIA_BUCKET)
        s3_server.empty_bucket(PRIVATE_BUCKET)


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
