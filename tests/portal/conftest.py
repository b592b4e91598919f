import os

import pytest

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


@pytest.fixture
def reader(client):
    """An anonymous reader with an ordinary browser's user agent (requests without one count as bots)."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client


@pytest.fixture
def redis_cache(settings):
    """Django's RedisCache on this checkout's own Redis database (broker db + 1), shared by threads and processes."""
    import redis

    db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13")) + 1
    url = f"{os.environ.get('PORTAL_TEST_REDIS', 'redis://127.0.0.1:6379')}/{db}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    settings.CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "t"}}
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()
