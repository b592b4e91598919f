"""The open data tests read the whole demo (`manage.py load_demo`, once per module) as an anonymous client."""

import pytest


@pytest.fixture
def whole_demo(whole_demo_for_module, demo):
    return demo


@pytest.fixture
def api(client):
    """An anonymous client that reads JSON."""
    client.defaults["HTTP_ACCEPT"] = "application/json"
    return client


def every_page(api, path: str) -> list[dict]:
    """Every row of a list endpoint, page by page (at the largest page size)."""
    rows, url = [], f"{path}{'&' if '?' in path else '?'}page_size=200"
    while url:
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows
