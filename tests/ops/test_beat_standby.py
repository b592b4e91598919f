"""One scheduler with a standby: two `celery -A config beat` processes on one Redis send each periodic task once,
and when the one sending dies the other takes over (celery-redbeat's lock); with Celery's own file scheduler both
send. Real beat processes, on this checkout's own broker database; no worker takes the messages (the log says what
beat sent)."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.deployment import beat_schedule

# Two beats, Redis and their lock: no database is involved, so CI runs it once (tests/README.md).
pytestmark = [pytest.mark.worker, pytest.mark.database_agnostic]

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
FAST = "portal-flush-counters"
SENT = re.compile(rf"Sending due task {FAST} ")
# As shipped (settings: PORTAL_BEAT_LOCK_SECONDS, CELERY_BEAT_MAX_LOOP_INTERVAL): a standby sends at most
# LOCK_SECONDS + MAX_INTERVAL after the active beat died. The takeover tests run the same code with a shorter lock
# and tick (FAST_LOCK), so they wait seconds rather than a minute; the shipped values are checked on their own.
LOCK_SECONDS, MAX_INTERVAL = 30, 10
FAST_LOCK = {"PORTAL_BEAT_LOCK_SECONDS": "6", "CELERY_BEAT_MAX_LOOP_INTERVAL": "3"}
FAST_LOCK_SECONDS, FAST_INTERVAL = 6, 3


def _redis(db):
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=1, decode_responses=True)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    return client


@pytest.fixture
def beats(tmp_path):
    """start(name, *extra_args, **env): a beat process with a broker on this checkout's broker database and the
    fast entry every second; `sends(name)` counts what its log says it sent."""
    broker_db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13"))
    broker = _redis(broker_db)
    broker.flushdb()  # this checkout's own broker database: the queue and redbeat's keys
    base_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PORTAL_BEAT_"))},
        "CELERY_BROKER_URL": f"{REDIS}/{broker_db}",
        "PORTAL_BEAT_SCHEDULE": f'{{"{FAST}": {{"every": 1}}}}',
        "PYTHONUNBUFFERED": "1",  # the banner reaches the log before the standby blocks on the lock
    }
    started = {}

    def start(name, *args, **env):
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO", *args],
            cwd=settings.BASE_DIR,
            env={**base_env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started[name] = (process, log)
        return process

    def text(name):
        return (tmp_path / f"{name}.log").read_text()

    def sends(name):
        return len(SENT.findall(text(name)))

    def wait_for(condition, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return time.monotonic()
            time.sleep(0.1)
        pytest.fail(f"timed out after {seconds} s waiting for {what}:\n" + "\n".join(text(n)[-1500:] for n in started))

    try:
        yield {"start": start, "sends": sends, "text": text, "wait_for": wait_for, "redis": broker}
    finally:
        for process, log in started.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
        broker.flushdb()


def test_the_shipped_lock_lets_a_standby_take_over_within_forty_seconds():
    env = {**os.environ, "CELERY_BROKER_URL": f"{REDIS}/15"}
    env = {k: v for k, v in env.items() if not k.startswith("PORTAL_BEAT_") and k != "CELERY_BEAT_MAX_LOOP_INTERVAL"}
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; import django; django.setup(); "
         "print(s.CELERY_REDBEAT_LOCK_TIMEOUT, s.CELERY_BEAT_MAX_LOOP_INTERVAL)"],
        cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    assert shown.stdout.split() == [str(LOCK_SECONDS), str(MAX_INTERVAL)]


def test_two_beats_send_each_task_once_and_the_standby_takes_over_when_the_first_is_killed(beats):
    first = beats["start"]("first", **FAST_LOCK)
    beats["wait_for"](lambda: beats["sends"]("first") >= 1, 60, "the first beat to send")
    beats["start"]("second", **FAST_LOCK)
    beats["wait_for"](lambda: "Configuration ->" in beats["text"]("second"), 60, "the second beat to start")
    time.sleep(FAST_LOCK_SECONDS + 2)  # longer than a lock: the active beat renews it, the standby never gets it
    assert beats["sends"]("first") >= 5
    assert beats["sends"]("second") == 0, "two beats sent the same periodic task"
    assert "Acquired lock" not in beats["text"]("second")

    # kill -9: no chance to release the lock; the standby waits for it to expire.
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    took_over = beats["wait_for"](
        lambda: beats["sends"]("second") >= 1, FAST_LOCK_SECONDS + FAST_INTERVAL + 15, "the standby to send"
    )
    seconds = took_over - killed
    print(f"standby sent {seconds:.1f} s after the active beat was killed")
    assert seconds <= FAST_LOCK_SECONDS + FAST_INTERVAL + 2


def test_a_stopped_beat_hands_over_at_once(beats):
    first = beats["start"]("first", **FAST_LOCK)
    beats["wait_for"](lambda: beats["sends"]("first") >= 1, 60, "the first beat to send")
    beats["start"]("second", **FAST_LOCK)
    beats["wait_for"](lambda: "Configuration ->" in beats["text"]("second"), 60, "the second beat to start")
    time.sleep(2)
    first.terminate()  # systemctl stop / restart: the lock is released on the way out
    first.wait(timeout=30)
    stopped = time.monotonic()
    took_over = beats["wait_for"](lambda: beats["sends"]("second") >= 1, FAST_INTERVAL + 15, "the standby to send")
    print(f"standby sent {took_over - stopped:.1f} s after the active beat was stopped")
    assert took_over - stopped <= FAST_INTERVAL + 2
    assert "Releasing lock" in beats["text"]("first")


def test_without_the_lock_two_file_schedulers_both_send(beats, tmp_path):
    """What one beat per host would do with Celery's own scheduler: every task twice."""
    for name in ("first", "second"):
        beats["start"](name, "--scheduler=celery.beat:PersistentScheduler", f"--schedule={tmp_path / name}.db")
    beats["wait_for"](lambda: beats["sends"]("first") >= 3 and beats["sends"]("second") >= 3, 60, "both to send")


SHOW = """
import django, json, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'
django.setup()
from django.conf import settings
from config.celery import app
from redbeat.schedulers import RedBeatScheduler, RedBeatSchedulerEntry
schedule = dict(settings.CELERY_BEAT_SCHEDULE)
for name in os.environ.get('DROP', '').split():
    del schedule[name]
app.conf.beat_schedule = schedule
scheduler = RedBeatScheduler(app=app)
reminders = RedBeatSchedulerEntry.from_key(scheduler.Entry.generate_key(app, 'directives-deadline-reminders'), app=app)
now = reminders.schedule.now()
print(json.dumps({
    'stored': sorted(scheduler.app.redbeat_conf.schedule),
    'reminder_hours': sorted(reminders.schedule.hour),
    'timezone': str(now.tzinfo),
}))
"""


def _setup_schedule(redis_url, drop="", moves=""):
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PORTAL_BEAT_"))}
    env.update(CELERY_BROKER_URL=redis_url, DROP=drop, PORTAL_BEAT_SCHEDULE=moves)
    result = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_schedule_in_redis_follows_the_settings(beats):
    """What beat does at start (RedBeatScheduler.setup_schedule): every entry of CELERY_BEAT_SCHEDULE is stored in
    Redis, an entry removed from the settings is removed from Redis, and a time moved by PORTAL_BEAT_SCHEDULE is the
    one stored, in the portal's time zone."""
    redis, url = beats["redis"], f"{REDIS}/{os.environ.get('PORTAL_TEST_BROKER_DB', '13')}"
    key = "cong-htx:beat:fund-sweep-loan-snapshots"
    shown = _setup_schedule(url)
    assert redis.exists(key) and redis.zscore("cong-htx:beat::schedule", key) is not None
    assert shown["reminder_hours"] == [7]
    assert shown["timezone"] == "Asia/Ho_Chi_Minh"

    shown = _setup_schedule(
        url, drop="fund-sweep-loan-snapshots", moves='{"directives-deadline-reminders": {"crontab": "0 8 * * *"}}'
    )
    assert not redis.exists(key) and redis.zscore("cong-htx:beat::schedule", key) is None
    assert "fund-sweep-loan-snapshots" not in redis.smembers("cong-htx:beat::statics")
    assert shown["reminder_hours"] == [8]
    assert redis.exists("cong-htx:beat:directives-deadline-reminders")


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        ('{"directive-deadline-reminders": {"every": 5}}', "names no periodic task directive-deadline-reminders"),
        ('{"portal-flush-counters": {"every": 0}}', '["every"] must be a number of seconds'),
        ('{"portal-flush-counters": {"every": "30"}}', '["every"] must be a number of seconds'),
        ('{"portal-flush-counters": 30}', 'must be {"every": <seconds>} or {"crontab"'),
        ('{"portal-flush-counters": {"every": 30, "crontab": "* * * * *"}}', 'must be {"every"'),
        ('{"directives-deadline-reminders": {"crontab": "0 8 * *"}}', "must have five fields"),
        ('{"directives-deadline-reminders": {"crontab": "0 25 * * *"}}', '["crontab"]'),
        ('{"directives-deadline-reminders": {"crontab": "0 8 * * *"', "not valid JSON"),
        ('["portal-flush-counters"]', "must be a JSON object"),
    ],
)
def test_a_bad_schedule_change_is_refused_with_a_message(moves, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        beat_schedule(settings.CELERY_BEAT_SCHEDULE, moves)


def test_beat_refuses_to_start_with_a_misspelt_entry():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PORTAL_BEAT_"))}
    env["PORTAL_BEAT_SCHEDULE"] = '{"directive-deadline-reminders": {"every": 5}}'
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PORTAL_BEAT_SCHEDULE names no periodic task directive-deadline-reminders" in result.stderr


def test_an_operator_moves_an_entry_without_touching_the_others():
    moved = beat_schedule(
        settings.CELERY_BEAT_SCHEDULE,
        '{"directives-deadline-reminders": {"crontab": "0 8 * * *"}, "portal-flush-counters": {"every": 30}}',
    )
    assert moved[FAST] == {"task": "portal.flush_counters", "schedule": 30.0}
    assert moved["directives-deadline-reminders"]["schedule"].hour == {8}
    assert moved["directives-deadline-reminders"]["task"] == "directives.send_deadline_reminders"
    untouched = set(moved) - {FAST, "directives-deadline-reminders"}
    assert all(moved[name] == settings.CELERY_BEAT_SCHEDULE[name] for name in untouched)
