"""Fixtures for the security tests: a production-settings gunicorn behind a pretend proxy, TOTP codes."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

HOST = "htx.example.vn"


@pytest.fixture
def otp_required(settings):
    settings.PORTAL_OTP_REQUIRED_FOR_SUPERUSERS = True


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_redis_url() -> str:
    """This checkout's own Redis database for a production process's cache (the one tests' `redis_cache` uses:
    broker db + 1); production settings refuse to start without REDIS_URL."""
    db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13")) + 1
    return f"{os.environ.get('PORTAL_TEST_REDIS', 'redis://127.0.0.1:6379')}/{db}"


def production_env(**extra) -> dict:
    """The environment of a production process: DJANGO_DEBUG=0, a secret key, our host name, a Redis cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="test-" + "Zq9!xK" * 10,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        PORTAL_SITE_URL=f"https://{HOST}",
        DATABASE_URL=database_url(),
        REDIS_URL=test_redis_url(),
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ProxiedServer:
    """Requests as nginx would send them: Host, X-Forwarded-Proto: https, X-Forwarded-For."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path, *, data=None, headers=None, https=True, client_ip="203.0.113.10"):
        all_headers = {"Host": HOST, "X-Forwarded-For": client_ip}
        if https:
            all_headers["X-Forwarded-Proto"] = "https"
        all_headers.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, headers=all_headers)
        try:
            response = self.opener.open(req, timeout=20)
        except urllib.error.HTTPError as error:  # 3xx/4xx/5xx still carry headers
            response = error
        body = response.read().decode("utf-8", "replace")
        return response.status, response.headers, body


@contextmanager
def gunicorn_serving(static_root, log_path, **extra_env):
    """gunicorn with deploy/gunicorn.conf.py and production settings (plus `extra_env`) on a free loopback port."""
    env = production_env(
        DJANGO_STATIC_ROOT=str(static_root), DJANGO_STATIC_COMPRESS="0", GUNICORN_WORKERS="1", GUNICORN_ACCESS_LOG=""
    )
    env.update(extra_env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    log = open(log_path, "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(base + "/healthz", headers={"Host": HOST}), timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answered (503 = no broker configured is fine here)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail("gunicorn did not start:\n" + log.read()[-3000:])
            time.sleep(0.2)
    try:
        yield ProxiedServer(base)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def production_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn with deploy/gunicorn.conf.py and production settings, serving the test database."""
    static_root = tmp_path_factory.mktemp("static")
    with gunicorn_serving(static_root, tmp_path_factory.mktemp("log") / "gunicorn.log") as server:
        yield server


def totp_token(key_hex: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app would show for this device key now (or at `at`)."""
    from django_otp.oath import TOTP

    generator = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6)
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"
