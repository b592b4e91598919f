"""Pending view counts and visits survive what a cache may suffer (a flush of its database, an eviction) and a flush
killed half way (SIGKILL of a real Celery worker, or a crash at any step): stored + pending == counted, exactly."""

import os
import subprocess
import sys
import time
from datetime import datetime

import pytest
from django.conf import settings
from django.core.cache import caches
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from public import counters
from public.counters import article_views, daily_visits, flush_article_views, flush_visits, record_article_view
from public.models import Article, CounterBatch, DailyVisit
from tests.properties import examples

from .factories import ArticleFactory

REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
BROKER_DB = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13"))
CACHE_DB, COUNTERS_DB = BROKER_DB + 1, (BROKER_DB + 2) % 16


def _redis(db):
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{db}", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    return client


@pytest.fixture
def two_redis_roles(settings):
    """The cache and the counters on two Redis databases, as a worker started with REDIS_URL and
    PORTAL_COUNTERS_REDIS_URL sees them (no key prefix, so this process and the worker share the keys)."""
    cache_db, counters_db = _redis(CACHE_DB), _redis(COUNTERS_DB)
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": f"{REDIS}/{CACHE_DB}"},
        "counters": {"BACKEND": "portal.cache.RedisCache", "LOCATION": f"{REDIS}/{COUNTERS_DB}"},
    }
    cache_db.flushdb()
    counters_db.flushdb()
    yield cache_db, counters_db
    cache_db.flushdb()
    counters_db.flushdb()


def _today() -> str:
    from django.utils import timezone

    return f"{timezone.localdate():%Y%m%d}"


def _stored_visits(member: str) -> int:
    day = datetime.strptime(member, "%Y%m%d").date()
    return DailyVisit.objects.filter(day=day).values_list("visits", flat=True).first() or 0


# --- a flush of the cache's database (FLUSHDB on the cache role) ------------------------------------------------


@pytest.mark.django_db
def test_flushing_the_cache_database_keeps_the_view_counts_and_visits(two_redis_roles, reader):
    cache_db, counters_db = two_redis_roles
    article = ArticleFactory()
    for _ in range(3):
        assert reader.get(article.get_absolute_url()).status_code == 200
    reader.get("/", REMOTE_ADDR="10.0.0.7")
    assert cache_db.dbsize() > 0  # the page cache is there...
    cache_db.flushdb()  # ...and goes, as with `redis-cli FLUSHDB`, a restart without persistence, or an eviction
    assert cache_db.dbsize() == 0 and counters_db.dbsize() > 0
    assert flush_article_views() == 3
    assert flush_visits() == 2  # one reader from two addresses
    assert Article.objects.get(pk=article.pk).view_count == 3
    assert _stored_visits(_today()) == 2
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "Số lượt xem: <strong>4</strong>" in html


@pytest.mark.django_db
def test_clearing_the_default_cache_keeps_the_counters_in_local_memory_too(reader):
    """Development: the counters have a local-memory store of their own, which a cache.clear() leaves alone."""
    from django.core.cache import cache

    article = ArticleFactory()
    reader.get(article.get_absolute_url())
    cache.clear()
    assert flush_article_views() == 1


# --- a real worker killed in the middle of a flush ----------------------------------------------------------------


@pytest.fixture
def worker(transactional_db, two_redis_roles, tmp_path):
    from tests.security.conftest import database_url

    broker = _redis(BROKER_DB)
    broker.flushdb()
    started = []

    def start(pause: str):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": f"{REDIS}/{BROKER_DB}",
            "REDIS_URL": f"{REDIS}/{CACHE_DB}",
            "PORTAL_COUNTERS_REDIS_URL": f"{REDIS}/{COUNTERS_DB}",
            "PORTAL_TEST_PAUSE_FLUSH": pause,
            "PORTAL_TEST_PAUSE_SECONDS": "60",
        }
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", "flusher@%h"]
            + ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    try:
        yield {"start": start, "log": lambda: (tmp_path / "worker.log").read_text()[-3000:]}
    finally:
        for process, log in started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
            log.close()
        broker.flushdb()


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task goes to Redis on purpose
@pytest.mark.parametrize("stage", ["before-commit", "after-commit"])
def test_a_flush_killed_midway_loses_no_view_and_counts_none_twice(worker, stage):
    from config.celery import app

    article = ArticleFactory()
    for _ in range(5):
        record_article_view(article.pk)
    daily_visits.incr(_today(), 2)
    process = worker["start"](stage)
    with app.connection_for_write(f"{REDIS}/{BROKER_DB}") as conn:
        app.send_task("portal.flush_counters", connection=conn)
    deadline = time.monotonic() + 90
    while caches["counters"].get("portal:flush-paused") != stage:
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail("the worker never reached the pause point:\n" + worker["log"]())
        time.sleep(0.2)

    process.kill()  # SIGKILL: no exception handler, no rollback code, no clean-up runs
    process.wait(timeout=10)
    written = Article.objects.get(pk=article.pk).view_count
    assert written == (0 if stage == "before-commit" else 5)  # the views went to the database with the batch or not
    assert CounterBatch.objects.exists() == (stage == "after-commit")
    assert article_views.pending(article.pk) + article_views.unapplied(article.pk) == 5 - written

    for _ in range(3):  # readers go on while nothing flushes
        record_article_view(article.pk)
    flush_article_views()  # the next flush finishes the batch left behind, once
    flush_visits()
    assert Article.objects.get(pk=article.pk).view_count == 8
    assert _stored_visits(_today()) == 2
    assert flush_article_views() == 0 and flush_visits() == 0
    assert caches["counters"].get(article_views.batches_key) is None  # no batch left in Redis


# --- every order of views, visits, flushes, crashes and cache clears ---------------------------------------------


class Crash(BaseException):
    """A process killed at a step of the flush: not an Exception, so no handler of ours runs."""


class CountersMachine(RuleBasedStateMachine):
    """After every step, for each article and day: stored in the database + pending in Redis == counted."""

    def __init__(self):
        super().__init__()
        caches["default"].clear()
        caches["counters"].clear()
        Article.objects.all().delete()
        DailyVisit.objects.all().delete()
        CounterBatch.objects.all().delete()
        self.articles = [ArticleFactory().pk for _ in range(2)]
        self.days = ["20260101", "20260102"]
        self.views = dict.fromkeys(self.articles, 0)
        self.visits = dict.fromkeys(self.days, 0)
        self.crash_at = None

    @rule(which=st.integers(0, 1), n=st.integers(1, 3))
    def view(self, which, n):
        for _ in range(n):
            record_article_view(self.articles[which])
        self.views[self.articles[which]] += n

    @rule(which=st.integers(0, 1))
    def visit(self, which):
        daily_visits.incr(self.days[which])
        self.visits[self.days[which]] += 1

    @rule()
    def flush(self):
        flush_article_views()
        flush_visits()

    @rule(stage=st.sampled_from(["before-commit", "after-commit"]), which=st.sampled_from(["views", "visits"]))
    def crash_mid_flush(self, stage, which):
        original = counters._pause

        def crash(at):
            if at == stage:
                raise Crash(at)

        counters._pause = crash
        try:
            (flush_article_views if which == "views" else flush_visits)()
        except Crash:
            pass  # the process died there (with nothing to flush it never gets there); the batch stays
        finally:
            counters._pause = original

    @rule()
    def clear_the_cache(self):
        caches["default"].clear()

    @invariant()
    def stored_plus_pending_is_what_was_counted(self):
        for pk, made in self.views.items():
            stored = Article.objects.get(pk=pk).view_count
            assert stored + article_views.pending(pk) + article_views.unapplied(pk) == made
        for day, made in self.visits.items():
            assert _stored_visits(day) + daily_visits.pending(day) + daily_visits.unapplied(day) == made

    def teardown(self):
        self.flush()
        self.stored_plus_pending_is_what_was_counted()
        assert CounterBatch.objects.count() <= 2 * 20  # one record per batch


@pytest.mark.django_db
@pytest.mark.parametrize("store", ["redis", "local memory"])
def test_counters_add_up_through_any_order_of_views_flushes_and_crashes(request, store):
    from hypothesis.stateful import run_state_machine_as_test

    if store == "redis":
        request.getfixturevalue("redis_cache")
    run_state_machine_as_test(
        CountersMachine,
        settings=hypothesis_settings(max_examples=examples(25), stateful_step_count=20, deadline=None),
    )
