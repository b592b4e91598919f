"""The site on a real primary and a replica that applies WAL 2 s late: what a user saves, they see; what must be
fresh is read on the primary; /healthz watches the replica. PostgreSQL server binaries needed (tests.infra)."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.security.conftest import production_env

from .conftest import Browser

pytestmark = pytest.mark.postgres

PAGE_ID = re.compile(r"/admin/public/page/(\d+)/change/")
ARTICLE_ID = re.compile(r"/admin/public/article/(\d+)/change/")
LAG = 2.0


def _change_url(browser, model, pattern):
    _, _, html = browser.request(f"/admin/public/{model}/")
    return f"/admin/public/{model}/{pattern.search(html).group(1)}/change/"


def _editor(site):
    browser = Browser(site)
    status, _, _ = browser.login("bien_tap")
    assert status == 302 and "__Host-sessionid" in browser.cookies
    return browser


def test_a_save_then_its_redirect_shows_the_saved_value_while_the_replica_lags(site, pg_pair):
    editor = _editor(site)
    url = _change_url(editor, "page", PAGE_ID)
    status, headers, _ = editor.submit(url, {"title": ["Giới thiệu đã sửa"], "_continue": ["1"]}, form_id="page_form")
    saved = time.monotonic()
    assert status == 302
    _, _, pinned = editor.request(headers["Location"])
    _, _, unpinned = editor.request(headers["Location"], without=("htx_pin",))
    _, _, public = Browser(site).request("/trang/gioi-thieu-htx/")
    assert time.monotonic() - saved < LAG  # what follows holds only while the replica lags
    assert 'value="Giới thiệu đã sửa"' in pinned
    assert "htx_pin" in editor.cookies
    assert 'value="Giới thiệu ban đầu"' in unpinned  # the lag is real: without the pin, the replica's old row
    assert "Giới thiệu ban đầu" in public and "Giới thiệu đã sửa" not in public
    pg_pair.wait_replicated()
    _, _, unpinned = editor.request(headers["Location"], without=("htx_pin",))
    _, _, public = Browser(site).request("/trang/gioi-thieu-htx/")
    assert 'value="Giới thiệu đã sửa"' in unpinned and "Giới thiệu đã sửa" in public


def test_a_public_page_rebuilt_right_after_a_change_reads_the_primary(site, pg_pair):
    reader = Browser(site)
    _, _, html = reader.request("/tin-tuc/ban-tin/")
    assert "Bản tin số một" in html  # now cached under the current content version
    editor = _editor(site)
    url = _change_url(editor, "article", ARTICLE_ID)
    status, _, _ = editor.submit(url, {"title": ["Bản tin đã sửa"]}, form_id="article_form")
    saved = time.monotonic()
    assert status == 302
    _, _, html = Browser(site).request("/tin-tuc/ban-tin/")
    assert time.monotonic() - saved < LAG
    assert "Bản tin đã sửa" in html and "Bản tin số một" not in html
    pg_pair.wait_replicated()
    _, _, html = Browser(site).request("/tin-tuc/ban-tin/")
    assert "Bản tin đã sửa" in html


def _probe(site_env) -> dict:
    script = Path(__file__).with_name("probe.py").read_text()
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR, env=production_env(**site_env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.split("PROBE ", 1)[1])


def test_a_task_started_right_after_a_commit_finds_the_row(site_env, pg_pair):
    result = _probe(site_env)
    assert result["read_outside_task"] is False  # the replica has not replayed the insert yet
    assert result["read_in_task"] is True  # the task reads the primary
    assert result["read_after_task"] is False  # and the pin ends with the task


def test_sessions_accounts_security_and_second_factor_tables_are_read_on_the_primary(site_env, pg_pair):
    routes = _probe(site_env)["routes"]
    always_primary = [
        "sessions.session", "portal.user", "auth.group", "auth.permission", "contenttypes.contenttype",
        "admin.logentry", "portal.securityevent", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
        "otp_totp.totpdevice",
    ]  # fmt: skip
    assert {label: routes[label] for label in always_primary} == dict.fromkeys(always_primary, "default")
    assert routes["public.page"] == routes["public.contactmessage"] == "replica"


def test_a_login_holds_on_the_next_request_while_the_replica_lags(site):
    editor = Browser(site)
    status, _, _ = editor.login("bien_tap")
    assert status == 302
    # Without the pin cookie: the session just written must still be read (on the primary).
    status, headers, html = editor.request("/admin/", without=("htx_pin",))
    assert status == 200, headers.get("Location")
    assert "bien_tap" in html


def _health(site, token):
    status, _, body = site.request("/healthz", headers={"X-Health-Token": token})
    return status, json.loads(body)


def test_healthz_reports_the_replica_and_its_lag_and_a_stopped_replica(site, site_env, pg_pair):
    token = site_env["PORTAL_HEALTH_TOKEN"]
    pg_pair.wait_replicated()
    status, body = _health(site, token)
    assert body["replica"] == "ok" and 0 <= body["details"]["replica"]["lag_seconds"] < 10
    pg_pair.stop_replica()
    try:
        status, body = _health(site, token)
        assert (status, body["status"], body["replica"]) == (200, "degraded", "error")
        status, _, html = Browser(site).request("/trang/gioi-thieu-htx/")
        assert status == 200  # reads fall back to the primary
    finally:
        pg_pair.start_replica()
        pg_pair.wait_replicated()
    status, body = _health(site, token)
    assert body["replica"] == "ok"
