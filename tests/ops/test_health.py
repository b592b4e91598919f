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


PUBLIC = {"REMOTE_ADDR": "203.0.113.9"}


def test_the_public_sees_only_ok_or_error_per_component(client, db):
    body = client.get("/healthz", **PUBLIC).json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_the_public_sees_no_error_text_when_a_component_is_down(client, db, monkeypatch):
    def down():
        raise ConnectionError("db.internal:5432 refused, password for htx wrong")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = client.get("/healthz", **PUBLIC)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok", "broker": "ok"}
    assert "db.internal" not in response.content.decode()


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_the_local_probe_sees_the_error_timings_and_versions(client, db, monkeypatch, address):
    def down():
        raise ConnectionError("db.internal:5432 refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    body = client.get("/healthz", REMOTE_ADDR=address).json()
    assert body["database"] == "error"
    assert body["details"]["database"]["result"] == "error: ConnectionError: db.internal:5432 refused"
    assert body["details"]["cache"]["result"] == "ok" and body["details"]["cache"]["ms"] >= 0
    assert set(body["versions"]) == {"python", "django"}


def test_a_request_forwarded_by_the_proxy_is_not_the_local_probe(client, db):
    """nginx connects from 127.0.0.1 for everyone and appends the address it saw."""
    body = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").json()
    assert "details" not in body and "versions" not in body


@pytest.mark.parametrize(
    ("sent", "sees"), [("the-right-token-1234", True), ("the-wrong-token-123", False), ("", False), (None, False)]
)
def test_a_caller_with_the_health_token_sees_the_details(client, db, settings, sent, sees):
    settings.PORTAL_HEALTH_TOKEN = "the-right-token-1234"
    headers = {} if sent is None else {"HTTP_X_HEALTH_TOKEN": sent}
    body = client.get("/healthz", HTTP_X_FORWARDED_FOR="198.51.100.7", **headers).json()
    assert ("details" in body) is sees


def test_with_no_token_configured_an_empty_token_header_shows_nothing(client, db, settings):
    settings.PORTAL_HEALTH_TOKEN = ""
    body = client.get("/healthz", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_HEALTH_TOKEN="").json()
    assert "details" not in body
