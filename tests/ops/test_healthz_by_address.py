"""A load balancer probes each host by its address: /healthz answers whatever the Host header, nothing else does."""

import pytest


def test_a_probe_by_address_gets_the_health_answer(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "details" not in response.json()  # the balancer is neither the local probe nor a token holder


@pytest.mark.parametrize("path", ["/", "/tin-tuc/", "/healthz/", "/healthzx", "/admin/"])
def test_every_other_path_still_refuses_an_unknown_host(client, db, path):
    assert client.get(path, HTTP_HOST="10.0.0.5").status_code == 400


def test_the_token_still_shows_the_details_to_a_probe_by_address(client, db, settings):
    settings.PORTAL_HEALTH_TOKEN = "t" * 40
    response = client.get("/healthz", HTTP_HOST="10.0.0.5", REMOTE_ADDR="10.0.0.2", HTTP_X_HEALTH_TOKEN="t" * 40)
    assert response.status_code == 200
    assert "details" in response.json()
