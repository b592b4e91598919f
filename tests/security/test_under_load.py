"""Under load: 32 concurrent connections for PORTAL_LOAD_SECONDS (default 60) against gunicorn with
deploy/gunicorn.conf.py and production settings, on PostgreSQL and Redis, behind a pretend nginx.

The mix: anonymous article views, poll votes (each voter a new browser with its own address in X-Forwarded-For, so
the per-address limit sees distinct visitors), plain public pages, and officers of several districts each saving
drafts of their own report and finally submitting it. Every answer is counted; afterwards there must have been no
5xx, no unexpected status and no connection error, and the database must hold exactly what was answered:
votes stored == votes accepted, article views stored (after the beat task flushed the counters) == views served,
every report saved with the last value its officer saved and submitted.

    make loadtest                                  # 60 s on htx_load
    PORTAL_LOAD_SECONDS=15 DATABASE_URL=postgres://.../htx_x pytest tests/security/test_under_load.py -s
"""

import http.client
import itertools
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from .conftest import HOST, gunicorn_serving, production_env

pytestmark = [pytest.mark.security, pytest.mark.postgres]

LOAD_SECONDS = int(os.environ.get("PORTAL_LOAD_SECONDS", "60"))
CONNECTIONS = 32
OFFICERS = 6
REDIS = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("PORTAL_LOAD_REDIS_DB", "6"))
PASSWORD = "Mat-khau-can-bo-2022"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
PAGES = ["/", "/tin-tuc/", "/tham-do/", "/hop-tac-xa/", "/hop-tac-xa/thong-ke/", "/van-ban/", "/lien-he/"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


class ConnectionFailed(Exception):
    pass


class Browser:
    """One visitor's connection: its own cookies and its own address, as nginx would forward it."""

    def __init__(self, port: int, ip: str):
        self.port, self.ip, self.cookies = port, ip, {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, list[str], str]:
        """Status, Set-Cookie headers and body; `self.last_seconds` is how long the answer took."""
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.ip, "User-Agent": AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}{path}",
                }
            )
        started = time.monotonic()
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            self.last_seconds = time.monotonic() - started
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            raise ConnectionFailed(f"{method} {path}: {exc!r}") from exc
        set_cookies = response.headers.get_all("Set-Cookie") or []
        for cookie in set_cookies:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if "max-age=0" in cookie.lower() or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, set_cookies, text

    def close(self):
        self.conn.close()


class Tally:
    """Every answer, by action and status; what the database must show afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.unexpected: list[str] = []
        self.connection_errors: list[str] = []
        self.views_served = self.votes_accepted = self.votes_refused = 0
        self.last_saved: dict[str, int] = {}
        self.seconds: list[float] = []

    def answer(self, action: str, status: int, expected: int, path: str, seconds: float):
        with self.lock:
            self.statuses[(action, status)] += 1
            self.seconds.append(seconds)
            if status != expected:
                self.unexpected.append(f"{action} {path}: {status} (expected {expected})")

    def add(self, **counts):
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def latency(self) -> str:
        ordered = sorted(self.seconds) or [0.0]

        def ms(q):
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

        return f"latency p50 {ms(0.5):.0f} ms, p95 {ms(0.95):.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def _hashed_password() -> str:
    """Hashed as production hashes (the server does not know the tests' fast hasher)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


@pytest.fixture
def site(tmp_path):
    """Demo foundation, one article, one poll, a report request to six districts with an officer each; gunicorn."""
    if connection.vendor != "postgresql":
        pytest.skip("the load test runs on PostgreSQL (DATABASE_URL=postgres://...)")
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{REDIS_DB}", socket_connect_timeout=1)
    try:
        client.flushdb()  # this checkout's own Redis database: counters and rate limits start empty
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS}")
    from io import StringIO

    from portal import demo
    from portal.models import Agency, User
    from tests.directives.factories import report_request
    from tests.public.factories import ArticleFactory, PollFactory

    demo.load(StringIO())
    agencies = list(Agency.objects.filter(kind=Agency.Kind.DISTRICT_PC).order_by("pk")[:OFFICERS])
    assert len(agencies) == OFFICERS
    password = _hashed_password()
    officers = {}
    for n, agency in enumerate(agencies, start=1):
        user = User.objects.create(username=f"canbo{n}", password=password, agency=agency, email=f"canbo{n}@example.vn")
        officers[user.username] = agency
    data = {
        "article": ArticleFactory(),
        "poll": PollFactory(),
        "request": report_request(agencies, sections="Kết quả"),
        "officers": officers,
    }
    extra = {"REDIS_URL": f"{REDIS}/{REDIS_DB}", "DJANGO_LOG_LEVEL": "WARNING"}
    with gunicorn_serving(tmp_path / "static", tmp_path / "gunicorn.log", **extra) as server:
        data["port"] = int(server.base.rsplit(":", 1)[1])
        data["log"] = tmp_path / "gunicorn.log"
        yield data
    client.flushdb()


def _flush_counters():
    """What beat does every minute, in a process of its own with production settings and the same Redis."""
    env = production_env(REDIS_URL=f"{REDIS}/{REDIS_DB}")
    code = "from public.tasks import flush_counters; print(flush_counters())"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout.strip()


# --- what each connection does -------------------------------------------------------------------------------------


def _reader(port, tally: Tally, deadline: float, seed: int, data: dict, addresses):
    rnd = random.Random(seed)
    browser = Browser(port, next(addresses))
    article = f"/tin-tuc/{data['article'].slug}/"
    while time.monotonic() < deadline:
        roll = rnd.random()
        if roll < 0.4:
            status, _, _ = browser.request("GET", article)
            tally.answer("article", status, 200, article, browser.last_seconds)
            if status == 200:
                tally.add(views_served=1)
        elif roll < 0.7:
            path = rnd.choice(PAGES)
            status, _, _ = browser.request("GET", path)
            tally.answer("page", status, 200, path, browser.last_seconds)
        else:
            _vote(port, tally, data, next(addresses), twice=rnd.random() < 0.2)
    browser.close()


def _vote(port, tally: Tally, data: dict, ip: str, *, twice: bool):
    """A new visitor: opens the poll, votes, sometimes clicks again (which must be refused)."""
    poll = data["poll"]
    voter = Browser(port, ip)
    try:
        status, _, page = voter.request("GET", f"/tham-do/{poll.slug}/")
        tally.answer("poll page", status, 200, poll.slug, voter.last_seconds)
        token = CSRF.search(page).group(1)
        choice = random.choice(data["choices"])
        for _ in range(2 if twice else 1):
            status, cookies, _ = voter.request(
                "POST", f"/tham-do/{poll.slug}/binh-chon/", {"csrfmiddlewaretoken": token, "choice": choice}
            )
            tally.answer("vote", status, 302, poll.slug, voter.last_seconds)
            accepted = any(c.startswith("htx_voter=") for c in cookies)
            tally.add(votes_accepted=int(accepted), votes_refused=int(not accepted))
    finally:
        voter.close()


def _officer(port, tally: Tally, deadline: float, username: str, data: dict, ip: str):
    """Logs in, saves drafts of its own report again and again, then submits the last one."""
    browser = Browser(port, ip)
    status, _, page = browser.request("GET", "/dang-nhap/")
    token = CSRF.search(page).group(1)
    status, _, _ = browser.request(
        "POST", "/dang-nhap/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    )
    tally.answer("login", status, 302, username, browser.last_seconds)
    path = f"/bao-cao/yeu-cau/{data['request'].pk}/"
    for n in itertools.count(1):
        last = time.monotonic() >= deadline
        status, _, page = browser.request("GET", path)
        tally.answer("report form", status, 200, path, browser.last_seconds)
        fields = {
            "csrfmiddlewaretoken": CSRF.search(page).group(1),
            "version": VERSION.search(page).group(1),
            "section_0": f"{username}: lần lưu {n}",
            "ind_htx_total": str(n),
            "ind_members": str(1000 + n),
            "action": "submit" if last else "save",
        }
        status, _, _ = browser.request("POST", path, fields)
        tally.answer("report submit" if last else "report save", status, 302, path, browser.last_seconds)
        if status == 302:
            with tally.lock:
                tally.last_saved[username] = n
        if last:
            break
    browser.close()


def _run_load(data: dict, seconds: int) -> tuple[Tally, float]:
    from public.models import Choice

    data["choices"] = list(Choice.objects.filter(poll=data["poll"]).values_list("pk", flat=True))
    tally = Tally()
    counter = itertools.count(1)
    lock = threading.Lock()

    def addresses():
        while True:
            with lock:
                n = next(counter)
            yield f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    address_source = addresses()
    started = time.monotonic()
    deadline = started + seconds
    threads = []

    def guarded(target, *args):
        def run():
            try:
                target(*args)
            except ConnectionFailed as exc:
                with tally.lock:
                    tally.connection_errors.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - any surprise (a page without its form) is a failure to report
                with tally.lock:
                    tally.unexpected.append(f"{target.__name__}: {exc!r}")

        return threading.Thread(target=run)

    for n, username in enumerate(data["officers"]):
        threads.append(guarded(_officer, data["port"], tally, deadline, username, data, f"192.0.2.{n + 1}"))
    for n in range(CONNECTIONS - len(threads)):
        threads.append(guarded(_reader, data["port"], tally, deadline, n, data, address_source))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    assert not any(t.is_alive() for t in threads), "a connection hung"
    return tally, time.monotonic() - started


# transaction=True: the server's processes must see the rows, so they are committed (and flushed afterwards).
@pytest.mark.django_db(transaction=True)
def test_under_load_nothing_fails_and_no_write_is_lost(site):
    from directives.models import Report
    from public.models import Article, Vote

    tally, elapsed = _run_load(site, LOAD_SECONDS)
    flushed = _flush_counters()
    by_action = Counter()
    for (action, _status), n in tally.statuses.items():
        by_action[action] += n
    summary = (
        f"{LOAD_SECONDS} s, {CONNECTIONS} connections: {tally.requests} requests in {elapsed:.1f} s "
        f"({tally.requests / elapsed:.1f} rps, {tally.latency()}); {dict(by_action)}; "
        f"views served {tally.views_served}; "
        f"votes accepted {tally.votes_accepted}, refused {tally.votes_refused}; reports {tally.last_saved}; "
        f"flush {flushed}"
    )
    print("\n" + summary)
    log = site["log"].read_text()
    assert not tally.connection_errors, tally.connection_errors[:10]
    assert not tally.unexpected, tally.unexpected[:10]
    assert not [key for key in tally.statuses if key[1] >= 500]
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:4000]
    # No lost writes.
    assert Vote.objects.filter(poll=site["poll"]).count() == tally.votes_accepted > 0
    assert Article.objects.get(pk=site["article"].pk).view_count == tally.views_served > 0
    for username, agency in site["officers"].items():
        report = Report.objects.get(request=site["request"], agency=agency)
        n = tally.last_saved[username]
        values = dict(report.values.values_list("code", "value"))
        assert report.state == Report.State.SUBMITTED, username
        assert (values["htx_total"], values["members"]) == (n, 1000 + n), username
        assert report.narrative == {"Kết quả": f"{username}: lần lưu {n}"}, username
        assert report.history.filter(history_user__username=username).count() >= n  # history kept up as well
