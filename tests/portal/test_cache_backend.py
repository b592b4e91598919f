"""portal.cache.RedisCache: Django's Redis cache with one redis-py client per pool, against the real Redis."""

import os

import pytest
import redis

from portal.cache import RedisCache

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
URL = f"{REDIS}/{int(os.environ.get('PORTAL_TEST_BROKER_DB', '13')) + 1}"  # this checkout's own database


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {URL}")
    cache = RedisCache(URL, {"KEY_PREFIX": "cache-backend-test"})
    yield cache
    cache.clear()


def test_one_client_serves_every_operation_and_values_round_trip(redis_cache):
    first = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is first
    redis_cache.set("answer", {"số": 42}, 30)
    assert redis_cache.get("answer") == {"số": 42}
    assert redis_cache.add("counter", 1, 30) and redis_cache.incr("counter", 2) == 3
    assert redis_cache.get_many(["answer", "counter", "missing"]) == {"answer": {"số": 42}, "counter": 3}
