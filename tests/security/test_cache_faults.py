"""The site against a Redis that is not there (a closed port) or that never answers (a socket that accepts and stays
silent): every page still answers from the database, the limiters fail the way docs/security.md says, /healthz
says 503, and the failure is logged once a minute, not once a request."""

import logging
import socket
import threading
from unittest import mock

import pytest
from django.conf import settings as django_settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from portal import cache as portal_cache
from portal.contentcache import forget_local
from portal.pagecache import forget_local_pages
from public.models import ContactMessage, Vote
from tests.properties import examples
from tests.public.factories import ArticleFactory, PollFactory

from ..conftest import BROWSER_UA

ANONYMOUS_PAGES = [
    "/",
    "/tin-tuc/",
    "/lien-he/",
    "/tham-do/",
    "/tim-kiem/?q=h%E1%BB%A3p+t%C3%A1c",
    "/van-ban/",
    "/hop-tac-xa/",
    "/hop-tac-xa/thong-ke/",
    "/quy-ho-tro/",
    "/rss/",
    "/sitemap.xml",
    "/robots.txt",
    "/dang-nhap/",
]
OFFICER_PAGES = ["/bao-cao/", "/thong-bao/", "/"]
FUND_PAGES = ["/quy-ho-tro/quan-ly/", "/quy-ho-tro/bao-cao/", "/quy-ho-tro/tham-dinh/"]
STAFF_PAGES = [
    "/admin/",
    "/admin/public/article/",
    "/admin/public/poll/",
    "/admin/cooperatives/cooperative/",
    "/admin/fund/loan/",
    "/admin/directives/document/",
    "/admin/portal/user/",
    "/admin/portal/sitesettings/",
]


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: bound, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _use_cache(settings, location: str) -> None:
    # The whole Redis host: the cache and the counters' store alike.
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": location},
        "counters": {"BACKEND": "portal.cache.RedisCache", "LOCATION": location},
    }
    portal_cache.forget_failures()
    forget_local()
    forget_local_pages()


@pytest.fixture
def dead_cache(settings):
    """The site's cache pointed at a closed port."""
    _use_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")
    yield
    portal_cache.forget_failures()


class SilentRedis:
    """A TCP server that accepts connections and reads what it is sent, and never answers: a Redis that hangs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._open = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        self.listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)

    def close(self):
        self._stop.set()
        self._thread.join()
        for conn in self._open:
            conn.close()
        self.listener.close()


@pytest.fixture
def silent_cache(settings):
    server = SilentRedis()
    settings.PORTAL_CACHE_CONNECT_TIMEOUT = 0.2
    settings.PORTAL_CACHE_SOCKET_TIMEOUT = 0.2
    _use_cache(settings, f"redis://127.0.0.1:{server.port}/0")
    yield server
    server.close()
    portal_cache.forget_failures()


def _get_ok(client, path):
    response = client.get(path, HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200, (path, response.status_code)
    return response


def test_every_main_page_answers_200_from_the_database_when_redis_is_unreachable(
    demo, dead_cache, client, officer_hong_dan, fund_officer, superuser
):
    article = ArticleFactory()
    poll = PollFactory()
    for path in [*ANONYMOUS_PAGES, article.get_absolute_url(), f"/tham-do/{poll.slug}/"]:
        _get_ok(client, path)
    client.force_login(officer_hong_dan)
    for path in OFFICER_PAGES:
        _get_ok(client, path)
    client.force_login(fund_officer)
    for path in FUND_PAGES:
        _get_ok(client, path)
    client.force_login(superuser)
    for path in STAFF_PAGES:
        _get_ok(client, path)


@pytest.mark.parametrize("engine", ["db", "cached_db"])
def test_logging_in_works_when_redis_is_unreachable(demo, dead_cache, client, settings, engine):
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{engine}"
    _get_ok(client, "/dang-nhap/")
    response = client.post(
        "/dang-nhap/", {"username": "hongdan", "password": django_settings.DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.username == "hongdan"
    _get_ok(client, "/bao-cao/")  # the session is read back


def test_a_refused_csrf_token_answers_403_not_500_when_redis_is_unreachable(demo, dead_cache):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/lien-he/", {"name": "A"})
    assert response.status_code == 403


def test_healthz_answers_503_with_cache_error_when_redis_is_unreachable(demo, dead_cache, client):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error", "broker": "ok"}


def test_a_poll_vote_is_refused_with_a_message_when_redis_is_unreachable(demo, dead_cache, client):
    poll = PollFactory()
    response = client.post(
        f"/tham-do/{poll.slug}/binh-chon/", {"choice": poll.choices.first().pk}, follow=True, HTTP_USER_AGENT=BROWSER_UA
    )
    assert response.status_code == 200
    assert "Hệ thống tạm thời chưa nhận được bình chọn" in response.content.decode()
    assert not Vote.objects.filter(poll=poll).exists()


def test_the_contact_form_still_sends_and_still_limits_from_the_database_when_redis_is_unreachable(
    demo, dead_cache, client, settings
):
    settings.PORTAL_CONTACT_PER_HOUR = 2
    data = {"name": "Nguyễn Văn A", "email": "a@example.vn", "subject": "Hỏi vay vốn", "body": "Xin hướng dẫn thủ tục."}
    for _ in range(2):
        response = client.post("/lien-he/", data, follow=True, HTTP_USER_AGENT=BROWSER_UA)
        assert response.status_code == 200 and "thư đã được gửi" in response.content.decode()
    response = client.post("/lien-he/", data, HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200 and "quá nhiều thư" in response.content.decode()
    assert ContactMessage.objects.count() == 2


def test_the_failure_is_logged_once_a_minute_not_once_a_request(demo, dead_cache, client, caplog, monkeypatch):
    monkeypatch.setattr(portal_cache, "RETRY_SECONDS", 0.0)  # ask Redis on every call: each one fails
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(20):
            _get_ok(client, "/")
    records = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(records) == 1
    assert "Cache unavailable" in records[0].getMessage()


def test_a_silent_redis_costs_each_page_at_most_one_timeout_then_none_for_a_while(demo, silent_cache, client):
    """Counted in connections to the silent server, not in seconds: each connection is one timed-out cache call."""
    article = ArticleFactory()
    _get_ok(client, "/")
    assert silent_cache.connections == 1  # the first cache call timed out; the rest of the page skipped the cache
    for path in [*ANONYMOUS_PAGES, article.get_absolute_url()]:
        _get_ok(client, path)
    assert silent_cache.connections == 1  # within RETRY_SECONDS no page asks again
    portal_cache.forget_failures()  # as when RETRY_SECONDS have passed
    _get_ok(client, "/tin-tuc/")
    assert silent_cache.connections == 2


def test_a_poll_vote_is_refused_when_redis_hangs(demo, silent_cache, client):
    poll = PollFactory()
    response = client.post(
        f"/tham-do/{poll.slug}/binh-chon/", {"choice": poll.choices.first().pk}, follow=True, HTTP_USER_AGENT=BROWSER_UA
    )
    assert "Hệ thống tạm thời chưa nhận được bình chọn" in response.content.decode()
    assert not Vote.objects.filter(poll=poll).exists()


# Every call of the cache API, with what it answers on an empty cache (a miss).
KEYS = st.text(alphabet="abcxyz:-_0189", min_size=1, max_size=20)
VALUES = st.one_of(st.integers(), st.text(max_size=20), st.none(), st.lists(st.integers(), max_size=3))
CALLS = st.one_of(
    st.tuples(st.just("get"), KEYS),
    st.tuples(st.just("get_many"), st.lists(KEYS, max_size=4)),
    st.tuples(st.just("has_key"), KEYS),
    st.tuples(st.just("set"), KEYS, VALUES),
    st.tuples(st.just("add"), KEYS, VALUES),
    st.tuples(st.just("touch"), KEYS),
    st.tuples(st.just("delete"), KEYS),
    st.tuples(st.just("delete_many"), st.lists(KEYS, max_size=4)),
    st.tuples(st.just("incr"), KEYS, st.integers(-5, 5)),
    st.tuples(st.just("decr"), KEYS, st.integers(-5, 5)),
    st.tuples(st.just("get_or_set"), KEYS, st.integers()),
)
MISS = {"get": None, "get_many": {}, "has_key": False, "add": False, "touch": False, "delete": False}


@pytest.mark.property
@hsettings(max_examples=examples(30))
@given(calls=st.lists(CALLS, min_size=1, max_size=8))
def test_any_sequence_of_cache_calls_answers_as_a_miss_and_the_strict_form_raises(calls):
    backend = portal_cache.RedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    portal_cache.forget_failures()
    for name, *args in calls:
        result = getattr(backend, name)(*args)
        if name in MISS:
            assert result == MISS[name], name
        elif name == "incr":
            assert result == args[1]
        elif name == "decr":
            assert result == -args[1]
        elif name == "get_or_set":
            assert result == args[1]  # built by the caller, as on a miss
    strict = portal_cache.strict(backend)
    for name, *args in calls:
        if hasattr(strict, name):
            with pytest.raises(portal_cache.CacheUnavailable):
                getattr(strict, name)(*args)
    portal_cache.forget_failures()


def test_the_login_lockout_still_holds_when_redis_is_unreachable(demo, dead_cache, client, settings):
    """django-axes keeps its counts in the database (its default handler), so the cache is not part of it."""
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/dang-nhap/", {"username": "hongdan", "password": "sai-mat-khau"})
    response = client.post("/dang-nhap/", {"username": "hongdan", "password": django_settings.DEMO_PASSWORD})
    assert response.status_code != 500
    assert "_auth_user_id" not in client.session


def test_the_open_data_api_still_limits_each_address_when_redis_is_unreachable(demo, dead_cache, client, settings):
    """The API's limit counts in the shared cache; with it down each process counts for itself, so a client still
    meets a 429 (from each process at most the limit) rather than no limit at all on answers that are no longer
    cached."""
    from opendata import rest

    settings.PORTAL_API_REQUESTS_PER_MINUTE = 3
    rest.PerClient._local_window = None
    minute = 1_800_000_000 // 60 * 60 + 10  # ten seconds into a minute, whatever the clock says
    with mock.patch.object(rest.time, "time", return_value=float(minute)):
        answers = [client.get("/api/v1/news/", REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
        other = client.get("/api/v1/news/", REMOTE_ADDR="203.0.113.10")
        over = client.get("/api/v1/news/", REMOTE_ADDR="203.0.113.9")
    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200
    assert over.status_code == 429 and over["Retry-After"] == "50"
    assert "Quá nhiều yêu cầu" in over.json()["detail"]
