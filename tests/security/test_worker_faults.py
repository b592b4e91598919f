"""A worker killed (SIGKILL) in the middle of a task loses nothing: Redis delivers the task again to another
worker, which completes it, and the task's effect happens once (acks_late + reject_on_worker_lost + idempotence).
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from portal.cache import release_key

from .conftest import database_url

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")

pytestmark = [pytest.mark.security, pytest.mark.worker]


def _redis(db):
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    return client


@pytest.fixture
def workers(transactional_db, tmp_path):
    broker_db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13"))
    broker, cache = _redis(broker_db), _redis(broker_db + 1)
    broker.flushdb()  # this checkout's own broker database: queue, unacked and index keys
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": f"{REDIS}/{broker_db}",
        "REDIS_URL": f"{REDIS}/{broker_db + 1}",
        # The release in the cache keys this test reads (_value), whatever was edited since this process started.
        "PORTAL_RELEASE": settings.PORTAL_RELEASE,
        # Seconds instead of hours before an unacknowledged message is handed out again.
        "CELERY_BROKER_TRANSPORT_OPTIONS": '{"visibility_timeout": 3, "unacked_restore_interval": 1,'
        ' "unacked_restore_throttle": 1}',
    }
    started = []

    def start(name):
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", f"{name}@%h"]
            + ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    def logs():
        return "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))

    try:
        yield {"start": start, "broker": f"{REDIS}/{broker_db}", "cache": cache, "logs": logs}
    finally:
        for process, log in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
            log.close()
        broker.flushdb()


def _value(cache, token, what) -> int:
    # The worker's cache keys carry the release (settings.PORTAL_RELEASE, the same checkout here).
    raw = cache.get(release_key(f"portal:probe:{token}:{what}", f"release-{settings.PORTAL_RELEASE}", 1))
    return int(raw) if raw is not None else 0


def _wait(condition, seconds, logs):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail("timed out; worker logs:\n" + logs())


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task goes to Redis on purpose
def test_a_task_whose_worker_is_killed_midway_is_completed_by_another_worker_once(workers):
    from config.celery import app

    token = uuid.uuid4().hex
    first = workers["start"]("first")
    with app.connection_for_write(workers["broker"]) as conn:
        app.send_task("portal.redelivery_probe", args=[token, 4], connection=conn)
    _wait(lambda: _value(workers["cache"], token, "started") == 1, 90, workers["logs"])

    first.kill()  # SIGKILL in the middle of the task: no chance to ack, requeue or clean up
    first.wait(timeout=10)
    assert _value(workers["cache"], token, "done") == 0

    workers["start"]("second")
    # The task marks itself done before it counts its effect: wait for the effect, the last thing it writes.
    _wait(lambda: _value(workers["cache"], token, "effects") >= 1, 90, workers["logs"])
    assert _value(workers["cache"], token, "started") == 2  # delivered again, run again...
    assert _value(workers["cache"], token, "done") == 1
    assert _value(workers["cache"], token, "effects") == 1  # ...with one effect


def test_the_idempotent_task_run_twice_has_one_effect(settings):
    """Eager, in-process: the same task delivered twice (as after a redelivery) changes nothing the second time."""
    from django.core.cache import cache

    from portal.tasks import redelivery_probe

    redelivery_probe.delay("twice", 0)
    redelivery_probe.delay("twice", 0)
    assert cache.get("portal:probe:twice:started") == 2
    assert cache.get("portal:probe:twice:effects") == 1


def test_celery_is_configured_not_to_lose_tasks():
    from config.celery import app

    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    # A message is handed out again only after the longest task could have finished.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_publish_retry


@pytest.fixture
def eager_retries():
    from config.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # let apply() see the Retry and run the task again
    yield
    app.conf.task_eager_propagates = before


def test_a_transient_database_fault_is_retried_with_backoff(eager_retries):
    """RELIABLE tasks retry on OperationalError (eager here: the retry runs at once instead of after the backoff)."""
    from celery import shared_task
    from django.db import OperationalError

    from portal.tasks import RELIABLE

    calls = []

    @shared_task(name="tests.security.flaky", **RELIABLE)
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return "ok"

    # Celery's "never join inside a task" guard is one flag for the whole process, which another thread running an
    # eager task at that moment (a live server left by an earlier test) sets: this join is not inside a task.
    assert flaky.apply(throw=False).get(disable_sync_subtasks=False) == "ok"
    assert len(calls) == 3
    assert flaky.retry_backoff is True and flaky.retry_backoff_max == 600 and flaky.max_retries == 5
