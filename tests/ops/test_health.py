import pytest

from ops import health


def test_healthz_is_ok_when_everything_is_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.parametrize("broken", ["database", "cache", "broker"])
def test_healthz_answers_503_when_a_service_is_down(client, db, settings, broken, monkeypatch):
    if broken == "broker":
        # A real broker URL on a port where nothing listens.
        settings.CELERY_TASK_ALWAYS_EAGER = False
        from config.celery import app

        monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    elif broken == "cache":
        # A real Redis cache client pointed at a port where nothing listens (the site's own cache stays up).
        from django.core.cache.backends.redis import RedisCache

        dead = RedisCache("redis://127.0.0.1:1/0", {})
        monkeypatch.setitem(health.CHECKS, "cache", lambda: health._cache(dead))
    else:

        def down():
            raise ConnectionError("down")

        monkeypatch.setitem(health.CHECKS, broken, down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()[broken].startswith("error")


def test_healthz_remembers_a_successful_broker_check_for_seconds_but_never_a_failure(client, db, settings, monkeypatch):
    from django.core.cache import cache

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    assert client.get("/healthz").status_code == 503
    assert cache.get(health.BROKER_OK_KEY) is None
    cache.set(health.BROKER_OK_KEY, True, health.BROKER_OK_TTL)  # as a success a moment ago would have left it
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["broker"] == "ok"
