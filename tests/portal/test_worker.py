"""A real Celery worker consumes a task from Redis and the test sees its effect.

The worker is a separate process started here, pointed at the test database and a Redis database of its
own; `.ci/run` runs this on every build. Without Redis on 127.0.0.1:6379 the test is skipped with a reason.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")


def _redis_client(db: int):
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    return client


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db):
    # Separate Redis databases per checkout (PORTAL_TEST_BROKER_DB), so parallel runs never share a queue.
    broker_db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13"))
    cache_db = broker_db + 1
    _redis_client(broker_db).delete("celery")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": f"{REDIS}/{broker_db}",
        "REDIS_URL": f"{REDIS}/{cache_db}",
    }
    log = open(settings.BASE_DIR / ".celery-test-worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO", "-n", "test@%h"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield {"broker": f"{REDIS}/{broker_db}", "cache": _redis_client(cache_db)}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.mark.worker
def test_a_real_worker_consumes_a_task_from_redis(worker, settings):
    from config.celery import app

    token = uuid.uuid4().hex
    # send_task always goes through the broker, even where settings make .delay() eager.
    with app.connection_for_write(worker["broker"]) as conn:
        app.send_task("portal.ping", args=[token], connection=conn)

    deadline = time.monotonic() + 60
    found = None
    while time.monotonic() < deadline:
        keys = worker["cache"].keys(f"*portal:ping:{token}")
        if keys:
            found = keys
            break
        time.sleep(0.2)
    assert found, (settings.BASE_DIR / ".celery-test-worker.log").read_text()[-3000:]
