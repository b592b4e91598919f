"""Session fixtures over the real servers in tests/infra, for any test folder (tests/conftest.py imports them).

`s3_server`: one SeaweedFS for the whole run, with two buckets: MEDIA_BUCKET, whose MEDIA_PREFIX anonymous clients
may read (as the site's nginx does for /media/), and PRIVATE_BUCKET, which answers only signed requests.
"""

import pytest

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
