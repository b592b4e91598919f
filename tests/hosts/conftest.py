"""Several hosts on one machine (tests/hosts/cluster.py): `make test-hosts`, not `make test`.

The cluster starts about twenty processes and takes a minute or two, so the suite runs only when asked:
PORTAL_TEST_HOSTS=1 (the Makefile's test-hosts target sets it). Redis is PORTAL_TEST_REDIS (databases 2 to 4 of it,
or from PORTAL_HOSTS_REDIS_DB on, are flushed); PostgreSQL is a private primary + replica pair started here.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

if os.environ.get("PORTAL_TEST_HOSTS") != "1":
    collect_ignore_glob = ["test_*.py"]

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")


@pytest.fixture(scope="session")
def cluster():
    from tests.infra import pgpair, s3
    from tests.infra.fixtures import MEDIA_BUCKET, MEDIA_PREFIX, PRIVATE_BUCKET

    from .cluster import Cluster

    if not pgpair.binaries_available():
        pytest.fail(f"PostgreSQL server binaries not found in {pgpair.BIN} (set PORTAL_PG_BIN)")
    # Not under pytest's temporary folder: that one is private to root, and PostgreSQL runs as `postgres`.
    workdir = Path(tempfile.mkdtemp(prefix="hosts-"))
    workdir.chmod(0o755)  # the PostgreSQL servers (user postgres) and nginx's workers (nobody) go through it
    keep = os.environ.get("PORTAL_HOSTS_KEEP") == "1"  # leave the logs behind to read them
    started = time.monotonic()
    pair = server = None
    try:
        pair = pgpair.start_pair(workdir / "pg", delay="2s")
        pair.create_database("htx")
        server = s3.start_s3(workdir / "s3", public_read=[f"{MEDIA_BUCKET}/{MEDIA_PREFIX}"])
        server.create_bucket(MEDIA_BUCKET)
        server.create_bucket(PRIVATE_BUCKET)
        s3_env = {
            **server.django_settings(),
            "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
            "AWS_LOCATION": MEDIA_PREFIX,
            "PORTAL_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET,
        }
        cluster = Cluster(
            workdir=workdir,
            database_url=pair.url("primary", "htx"),
            replica_url=pair.url("replica", "htx"),
            redis_url=REDIS,
            s3_env=s3_env,
            pair=pair,
        )
        try:
            cluster.start()
            cluster.timings["total start"] = round(time.monotonic() - started, 1)
            print(f"\ncluster in {workdir}: {cluster.timings}")
            yield cluster
        finally:
            cluster.stop()
    finally:
        if server is not None:
            server.stop()
        if pair is not None:
            pair.stop()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\ncluster logs kept in {workdir}")


SCENARIO = """
import json
from datetime import date
from portal.models import User
from public.models import Article
from tests.directives.factories import report_request

officer = User.objects.get(username="hongdan")
requests = {
    name: report_request(
        [officer.agency], title=f"Báo cáo thử nghiệm nhiều máy chủ ({name})", deadline=date(2099, 12, 31),
        sections="Kết quả\\nKhó khăn", indicator_codes=[],
    ).pk
    for name in ("file", "redirect")
}
articles = [a.get_absolute_url() for a in Article.objects.published().order_by("-publish_at")[:3]]
pks = [a.pk for a in Article.objects.published().order_by("-publish_at")[:3]]
print(json.dumps({"requests": requests, "articles": articles, "article_pks": pks}))
"""


@pytest.fixture(scope="session")
def scenario(cluster):
    """Rows the tests share, made once on the primary: two report requests for Huyện Hồng Dân (far from any
    deadline, so no reminder is due for them), and the newest published articles."""
    import json

    data = json.loads(cluster.python(SCENARIO).strip().splitlines()[-1])
    cluster.pair.wait_replicated()
    return data
