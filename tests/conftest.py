"""Shared actors for every test: the units and agencies of the demo, and one account per role.

Browser tests use `page` (Playwright driving Debian's Chromium at /usr/bin/chromium) against `live_server`.
"""

import os
import shutil

import pytest

from tests import properties
from tests.infra.fixtures import s3_server, s3_storages  # noqa: F401 - fixtures any folder may use

properties.load()

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Demo accounts are hashed whenever the demo loads (django_db_setup, and after each flush); a slow hasher would
    dominate the suite's time."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _fast_flush():
    """After each transactional test, PostgreSQL's tables are emptied with DELETE rather than TRUNCATE, which costs
    seconds per flush on a hundred tables (tests/infra/flush.py). SQLite already deletes."""
    from tests.infra.flush import delete_instead_of_truncate

    with delete_instead_of_truncate():
        yield


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploads, public and private, land in the test's own folder, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.conf import settings
    from django.core.cache import cache, caches

    from fund.models import forget_thresholds
    from portal.contentcache import forget_local
    from portal.pagecache import forget_local_pages

    cache.clear()
    caches["counters"].clear()  # the counters' store of their own, which a cache clear leaves alone
    forget_local_pages()  # what each process remembers of the cache outlives cache.clear()
    forget_local()
    forget_thresholds()  # and of the dated thresholds, which a rolled-back test may have added
    yield
    cache.clear()
    if "counters" in settings.CACHES:  # a test may still have replaced CACHES with a default cache alone
        caches["counters"].clear()
    forget_local_pages()
    forget_local()
    forget_thresholds()


@pytest.fixture(autouse=True)
def _second_factor_off(settings):
    """Superusers owe a TOTP code in production; tests log them in with force_login, so the suite turns it off.
    tests/security turns it back on where it checks the second factor."""
    settings.PORTAL_OTP_REQUIRED_FOR_SUPERUSERS = False


def _load_demo():
    """The foundation's demo data (portal.demo.load), unless it is already there: the last account it creates is
    the cheap sign, since a transactional test's flush removes everything at once."""
    from io import StringIO

    from portal import demo as portal_demo
    from portal.models import User

    if not User.objects.filter(username=portal_demo.DEMO_USERS[-1][0]).exists():
        portal_demo.load(StringIO())
    return portal_demo


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _fast_password_hashing):
    """Load the foundation's demo once, into the test database as soon as it exists, instead of in every test, and
    keep its rows as the session's baseline: after a transactional test the tables get them back rather than being
    left empty (tests/infra/flush.py). Every test sees it, whether it asks for `demo` or not; a test that relies on it
    still asks."""
    from django.db import connection

    from tests.infra.flush import back_to_baseline_after_each_transactional_test, take_baseline

    with django_db_blocker.unblock():
        _load_demo()
        take_baseline(connection)
    with back_to_baseline_after_each_transactional_test():
        yield


@pytest.fixture
def demo(db):
    """The foundation's demo data (units, agencies, site settings, role accounts), loaded once for the session
    (django_db_setup); each test's changes to it roll back with the test. After a test on `transactional_db` or
    `live_server` the tables get the session's baseline rows back, whatever the test did to them (a `manage.py flush`
    included); inside a test whose own flush emptied them, asking for it again loads it again."""
    return _load_demo()


@pytest.fixture(scope="module")
def whole_demo_for_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """`manage.py load_demo` (every app's demo) once for a module whose tests read it: loaded in a transaction held
    open for the whole module, in which each test runs in a savepoint and rolls back to it; the transaction is rolled
    back at the module's end. Only for modules without transactional or live-server tests (they flush the database).
    Its files land in a folder of the module's own."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("whole-demo")
    files = override_settings(MEDIA_ROOT=folder / "media", PORTAL_PRIVATE_MEDIA_ROOT=folder / "private")
    outer = transaction.atomic()
    outer._from_testcase = True  # as Django's TestCase marks its own blocks (portal.versioned reads the mark)
    with django_db_blocker.unblock(), files:
        outer.__enter__()
        try:
            _load_demo()
            call_command("load_demo", stdout=StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _demo_user(username):
    from portal.models import User

    return User.objects.get(username=username)


@pytest.fixture
def alliance_staff(demo):
    return _demo_user("lienminh")


@pytest.fixture
def fund_officer(demo):
    return _demo_user("quy")


@pytest.fixture
def editor(demo):
    return _demo_user("bientap")


@pytest.fixture
def officer_hong_dan(demo):
    return _demo_user("hongdan")


@pytest.fixture
def officer_dong_hai(demo):
    return _demo_user("donghai")


@pytest.fixture
def superuser(demo):
    return _demo_user("quantri")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser there is a broken build, not a skip.
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts_dir():
    """Screenshots for people to look at; git-ignored."""
    from django.conf import settings

    path = settings.BASE_DIR / "artifacts"
    path.mkdir(exist_ok=True)
    return path


def login_in_browser(page, live_server, username, password=None):
    from django.conf import settings

    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or settings.DEMO_PASSWORD)
    follow(page, "button[type=submit]")


def follow(page, target):
    """Click something that loads a new page, and return once that page has loaded. A click alone returns
    before the navigation, and `wait_for_load_state` right after it can still see the old page."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def pytest_collection_modifyitems(config, items):
    """Every hypothesis test is also marked `property`, so `make fuzz` can pick them all: those decorated with
    @given, and those that run one inside (an inner @given, or run_state_machine_as_test). Every browser test is also
    marked `database_agnostic` (tests/README.md: CI runs those once, in the SQLite suite)."""
    from hypothesis import is_hypothesis_test

    runs_inside = {"given", "run_state_machine_as_test"}
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database_agnostic)
        targets = [getattr(item, "obj", None), getattr(getattr(item, "cls", None), "runTest", None)]
        targets = [target for target in targets if target is not None]
        inner = any(runs_inside & set(getattr(getattr(t, "__code__", None), "co_names", ())) for t in targets)
        if inner or any(is_hypothesis_test(target) for target in targets):
            item.add_marker(pytest.mark.property)


# --- the public site's readers, and a real Redis cache -------------------------------------------------------
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


@pytest.fixture
def reader(client):
    """An anonymous reader with an ordinary browser's user agent (requests without one count as bots)."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    return client


@pytest.fixture
def redis_cache(settings):
    """Django's RedisCache on this checkout's own Redis database (broker db + 1), shared by threads and processes."""
    import redis

    db = int(os.environ.get("PORTAL_TEST_BROKER_DB", "13")) + 1
    url = f"{os.environ.get('PORTAL_TEST_REDIS', 'redis://127.0.0.1:6379')}/{db}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    # The counters on a database of their own, as on the durable Redis in production (flushing the cache's keeps them).
    counters_url = f"{os.environ.get('PORTAL_TEST_REDIS', 'redis://127.0.0.1:6379')}/{(db + 1) % 16}"
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "t"},
        "counters": {"BACKEND": "portal.cache.RedisCache", "LOCATION": counters_url, "KEY_PREFIX": "t"},
    }
    from django.core.cache import cache, caches

    cache.clear()
    caches["counters"].clear()
    yield cache
    cache.clear()
    caches["counters"].clear()
