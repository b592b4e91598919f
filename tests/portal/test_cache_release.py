"""Cache keys carry the release: during a rolling upgrade the old and the new code share one Redis and never read
each other's pickles, while what every process must share whatever it runs (the content version, the pending
counters) stays where both find it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.deployment import RELEASE_SOURCES, code_release

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
CACHE_DB = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13")) + 1
COUNTERS_DB = (CACHE_DB + 1) % 16

STEP = """
import django, json, os, sys
os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'
django.setup()
from django.core.cache import cache, caches
from portal.contentcache import bump_content_version, content_version
if sys.argv[1] == 'write':
    cache.set('portal:page:home', {'built by': os.environ['PORTAL_RELEASE']}, 300)
    caches['counters'].set('portal:pending:article:1', 7, None)
    bump_content_version()
print(json.dumps({
    'page': cache.get('portal:page:home'),
    'pending': caches['counters'].get('portal:pending:article:1'),
    'version': content_version(),
}))
"""


def _redis(db):
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    return client


@pytest.fixture
def shared_redis():
    cache_db, counters_db = _redis(CACHE_DB), _redis(COUNTERS_DB)
    cache_db.flushdb()
    counters_db.flushdb()
    yield
    cache_db.flushdb()
    counters_db.flushdb()


def _host(release: str, step: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "PORTAL_"))}
    env.update(
        PORTAL_RELEASE=release,
        REDIS_URL=f"{REDIS}/{CACHE_DB}",
        PORTAL_COUNTERS_REDIS_URL=f"{REDIS}/{COUNTERS_DB}",
    )
    result = subprocess.run(
        [sys.executable, "-c", STEP, step], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_releases_share_counters_and_the_content_version_but_not_cached_objects(shared_redis):
    old = _host("2026.11", "write")
    assert old["page"] == {"built by": "2026.11"} and old["pending"] == 7
    new = _host("2026.12", "read")
    assert new["page"] is None  # the old release's pickle is not the new one's to read
    assert new["pending"] == 7  # counts pending at the upgrade are flushed by the new code
    assert new["version"] == old["version"]  # an edit through an old host makes the new hosts' pages stale too
    assert _host("2026.11", "read")["page"] == {"built by": "2026.11"}  # the same release does share them


def test_the_release_is_a_hash_of_the_code_when_not_named(tmp_path):
    for package in RELEASE_SOURCES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "models.py").write_text(f"# {package}\n")
    (tmp_path / "requirements.txt").write_text("Django==5.2.19\n")
    (tmp_path / "tests").mkdir()
    first = code_release(tmp_path)
    assert first == code_release(tmp_path)  # two hosts on one checkout agree
    (tmp_path / "tests" / "test_x.py").write_text("x = 1\n")
    assert code_release(tmp_path) == first  # tests are not pickled
    (tmp_path / "portal" / "models.py").write_text("# portal, changed\n")
    changed = code_release(tmp_path)
    assert changed != first
    (tmp_path / "requirements.txt").write_text("Django==5.2.20\n")
    assert code_release(tmp_path) != changed


def test_this_checkout_names_its_release_in_the_default_cache_only():
    release = os.environ.get("PORTAL_RELEASE") or code_release(Path(settings.BASE_DIR))
    assert settings.PORTAL_RELEASE == release
