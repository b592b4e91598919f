"""A site on a real primary and lagging replica: gunicorn with production settings, DATABASE_URL on the primary,
DATABASE_REPLICA_URL on the replica (2 s behind), Redis for the cache; the schema migrated and a little data seeded.

PostgreSQL server binaries are needed (tests.infra.pgpair); the Django test database is not used by the site.
"""

import os
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.infra.fixtures import pg_pair  # noqa: F401 - the session's pair
from tests.security.conftest import ProxiedServer, gunicorn_serving
from tests.security.htmlforms import form_data

SITE_DB = "htx_site"
PIN_SECONDS = 5  # above the pair's 2 s delay, as an operator would set it
PASSWORD = "Mat-khau-rat-dai-2026"


def _redis_url() -> str:
    """The site's cache: a Redis database of its own (9; the CI's suites use 6 and 10-15), flushed at the start."""
    base = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
    return f"{base}/{os.environ.get('PORTAL_TEST_REPLICA_REDIS_DB', '9')}"


@pytest.fixture(scope="session")
def site_env(pg_pair):  # noqa: F811
    import redis

    redis_url = _redis_url()
    redis.Redis.from_url(redis_url).flushdb()
    pg_pair.create_database(SITE_DB)
    env = {
        "DATABASE_URL": pg_pair.url("primary", SITE_DB),
        "DATABASE_REPLICA_URL": pg_pair.url("replica", SITE_DB),
        "REDIS_URL": redis_url,
        "PORTAL_REPLICA_PIN_SECONDS": str(PIN_SECONDS),
        "PORTAL_HEALTH_TOKEN": "kiem-tra-" + "x" * 24,
    }
    from tests.security.conftest import production_env

    full = production_env(**env)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=full,
        check=True,
        timeout=600,
    )
    seed = Path(__file__).with_name("seed.py").read_text()
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", seed], cwd=settings.BASE_DIR, env=full, check=True, timeout=120
    )
    pg_pair.wait_replicated()
    print(f"site database migrated and seeded in {time.monotonic() - started:.1f} s")
    return env


@pytest.fixture(scope="session")
def site(site_env, tmp_path_factory):
    with gunicorn_serving(tmp_path_factory.mktemp("static"), tmp_path_factory.mktemp("log") / "g.log", **site_env) as s:
        yield s


class Browser:
    """A client of the site keeping its cookies, one request at a time, redirects not followed."""

    def __init__(self, server: ProxiedServer):
        self.server, self.cookies = server, {}

    def request(self, path, data=None, *, without=()):
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items() if k not in without)
        headers = {"Cookie": cookies} if cookies else {}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": self.server_origin()})
        status, response_headers, html = self.server.request(path, data=body, headers=headers)
        for line in response_headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return status, response_headers, html

    def server_origin(self):
        from tests.security.conftest import HOST

        return f"https://{HOST}/"

    def submit(self, path, changes, **kwargs):
        """GET the form at `path`, change some fields, POST it back."""
        _, _, html = self.request(path)
        data = form_data(html, kwargs.pop("form_id", None))
        data.update(changes)
        return self.request(path, data)

    def login(self, username, password=PASSWORD):
        return self.submit(
            "/admin/login/?next=/admin/", {"username": [username], "password": [password]}, form_id="login-form"
        )
