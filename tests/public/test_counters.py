from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from public.counters import flush_article_views, flush_visits, record_article_view, visit_stats
from public.models import Article, DailyVisit

from .factories import ArticleFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thousand_concurrent_views_add_exactly_a_thousand(redis_cache):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is measured on PostgreSQL")
    article = ArticleFactory()

    def view(_):
        from django.db import connections

        try:
            record_article_view(article.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(view, range(1000)))
    assert Article.objects.get(pk=article.pk).view_count == 0  # nothing written per request
    flush_article_views()
    assert Article.objects.get(pk=article.pk).view_count == 1000
    with ThreadPoolExecutor(max_workers=32) as pool:
        # Flushes running while views keep arriving must not lose or double any of them.
        flushed = [pool.submit(flush_article_views) for _ in range(3)]
        list(pool.map(view, range(1000, 1500)))
        for future in flushed:
            future.result()
    flush_article_views()
    assert Article.objects.get(pk=article.pk).view_count == 1500


def test_counting_goes_on_when_the_article_page_is_served_from_cache(db, reader, django_assert_max_num_queries):
    article = ArticleFactory()
    reader.get(article.get_absolute_url())  # builds the cached page
    with django_assert_max_num_queries(0):  # the content and the stored count come from the cache
        html = reader.get(article.get_absolute_url()).content.decode()
    assert "Số lượt xem: <strong>2</strong>" in html
    flush_article_views()
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "Số lượt xem: <strong>3</strong>" in html
    assert Article.objects.get(pk=article.pk).view_count == 2


def test_the_counters_are_flushed_by_celery_beat_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["portal-flush-counters"]
    assert entry["task"] == "portal.flush_counters" and entry["schedule"] <= 60


def test_visits_are_counted_once_per_visitor_per_day_outside_static_admin_and_bots(db, reader, client):
    reader.get("/")
    reader.get("/tin-tuc/")
    reader.get("/admin/login/")
    reader.get("/static/css/site.css")
    client.get("/", HTTP_USER_AGENT="bingbot/2.0")
    reader.get("/", REMOTE_ADDR="10.0.0.2")
    stats = visit_stats()
    assert stats["today"] == 2 and stats["total"] == 2 and stats["online"] == 2
    assert flush_visits() == 2
    assert flush_visits() == 0
    assert DailyVisit.objects.get().visits == 2


def test_the_statistics_add_stored_days_and_pending_counts(db, reader):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    DailyVisit.objects.create(day=today - timedelta(days=1), visits=40)
    DailyVisit.objects.create(day=today - timedelta(days=400), visits=1000)
    reader.get("/")
    stats = visit_stats()
    assert stats["yesterday"] == 40
    assert stats["today"] == 1
    assert stats["total"] == 1041
    html = reader.get("/tin-tuc/").content.decode()
    assert "Thống kê truy cập" in html and "1.041" in html


@pytest.fixture
def counters_round_trips(redis_cache, monkeypatch):
    """The round trips made to the counters' Redis database (each pipeline or command sent is one), but for the
    visit statistics' read."""
    import redis
    from django.core.cache import caches

    counters_db = caches["counters"]._cache.get_client(write=True).connection_pool.connection_kwargs["db"]
    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def send(self, command, check_health=True):
        packed = b"".join(command) if isinstance(command, list) else command
        # The visit statistics box's read (MGET) is shared by a process's pages for a second; not a count.
        if self.db == counters_db and not (b"MGET" in packed[:20] and b"portal:views" not in packed):
            sent.append(packed)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", send)
    return sent


def test_a_cached_article_counts_the_read_and_the_visit_in_one_round_trip(db, reader, counters_round_trips):
    article = ArticleFactory()
    url = article.get_absolute_url()
    reader.get(url)  # builds the cached page; the view and the middleware count this read and visit
    counters_round_trips.clear()
    html = reader.get(url).content.decode()  # the same reader again, from the cache
    assert "Số lượt xem: <strong>2</strong>" in html
    assert len(counters_round_trips) == 1, "the view, the stored count and the visit marks in one pipeline"
    # A new visitor on a cached page: their visit is counted once, by the page, not again by the middleware.
    html = reader.get(url, REMOTE_ADDR="10.0.0.9").content.decode()
    assert "Số lượt xem: <strong>3</strong>" in html
    assert visit_stats()["today"] == 2
    assert flush_visits() == 2 and flush_article_views() == 3


def test_a_head_request_for_a_cached_article_counts_the_read_but_no_visit(db, reader, counters_round_trips):
    article = ArticleFactory()
    reader.get(article.get_absolute_url())
    reader.head(article.get_absolute_url(), REMOTE_ADDR="10.0.0.9")
    assert visit_stats()["today"] == 1
    assert flush_article_views() == 2


def test_a_crawler_on_a_cached_article_is_shown_the_count_and_counts_nothing(db, reader, client, counters_round_trips):
    article = ArticleFactory()
    url = article.get_absolute_url()
    reader.get(url)
    assert "Số lượt xem: <strong>1</strong>" in client.get(url, HTTP_USER_AGENT="bingbot/2.0").content.decode()
    counters_round_trips.clear()
    for _ in range(3):  # within a second: the total this process read, no round trip
        html = client.get(url, HTTP_USER_AGENT="bingbot/2.0").content.decode()
        assert "Số lượt xem: <strong>1</strong>" in html
    assert counters_round_trips == []
    assert visit_stats()["today"] == 1 and flush_article_views() == 1
