"""deploy/nginx/cong-htx-behind-lb.conf run for real, with gunicorn and production settings behind it, and this test
as the balancer: it ends TLS (pretend), speaks HTTP to nginx and says so in X-Forwarded-Proto. The page answers
200 with no redirect loop and Django knows it was HTTPS (HSTS, secure cookies); a client that reaches nginx itself
cannot claim HTTPS; a probe by address gets /healthz; the address in the security log is the client's."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import HOST, free_port, gunicorn_serving

pytestmark = pytest.mark.security

SITE = Path(settings.BASE_DIR, "deploy", "nginx", "cong-htx-behind-lb.conf")
BALANCER = "127.0.0.1"  # the address the balancer (this test) speaks to nginx from
OUTSIDER = "127.0.0.2"  # anyone else reaching nginx on the private network


def _nginx():
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx); .ci/run installs it")
    return nginx


def site_for_test(text: str, *, port: int, upstream: str, static: Path, media: Path) -> str:
    """The real site file with loopback addresses: the balancer's network is this test's address."""
    replaced = (
        text.replace("    10.0.0.0/8 1;", f"    {BALANCER}/32 1;")
        .replace("unix:/run/cong-htx/gunicorn.sock", upstream)
        .replace("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")
        .replace("listen [::]:80 default_server;\n", "")
        .replace("/srv/cong-htx/staticfiles/", f"{static}/")
        .replace("/srv/cong-htx/media/", f"{media}/")
    )
    assert replaced.count(f"{BALANCER}/32 1;") == 1 and f"127.0.0.1:{port}" in replaced
    return replaced


@pytest.fixture(scope="module")
def behind_balancer(django_db_setup, django_db_blocker, tmp_path_factory):
    nginx = _nginx()
    tmp = tmp_path_factory.mktemp("lb")
    # nginx workers (nobody) read the static files: a folder they can reach (pytest's own are private to us).
    public = Path(tempfile.mkdtemp(prefix="htx-lb-"))
    public.chmod(0o755)
    static, media = public / "static", public / "media"
    media.mkdir()
    proxies = {"PORTAL_TRUSTED_PROXIES": f"127.0.0.1,::1,{BALANCER}/32", "PORTAL_TRUSTED_PROXY_COUNT": "2"}
    with gunicorn_serving(static, tmp / "gunicorn.log", **proxies) as server:
        port = free_port()
        upstream = server.base.removeprefix("http://")
        (tmp / "site.conf").write_text(
            site_for_test(SITE.read_text(), port=port, upstream=upstream, static=static, media=media)
        )
        mime = "/etc/nginx/mime.types"
        (tmp / "nginx.conf").write_text(
            f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
            f"http {{\n  {'include ' + mime + ';' if os.path.exists(mime) else ''}\n"
            f"  access_log off;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n"
            f"  include {tmp}/site.conf;\n}}\n"
        )
        checked = subprocess.run([nginx, "-t", "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"], stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("nginx did not start: " + process.stderr.read().decode())
                    time.sleep(0.1)
            yield {"port": port, "static": static}
        finally:
            process.terminate()
            process.wait(timeout=20)
            shutil.rmtree(public, ignore_errors=True)


def _get(port, path, *, source=BALANCER, host=HOST, headers=None, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


FROM_BALANCER = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6, 203.0.113.5"}


def test_the_balancers_https_reaches_django_without_a_redirect(behind_balancer, transactional_db):
    status, headers, _ = _get(behind_balancer["port"], "/", headers=FROM_BALANCER)
    assert status == 200, headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")  # Django: the request was HTTPS
    status, headers, _ = _get(behind_balancer["port"], "/dang-nhap/", headers=FROM_BALANCER)
    assert status == 200
    assert "Secure" in headers["Set-Cookie"] and "__Host-csrftoken" in headers["Set-Cookie"]


def test_plain_http_from_the_balancer_is_redirected_once_to_https(behind_balancer, transactional_db):
    status, headers, _ = _get(behind_balancer["port"], "/tin-tuc/", headers={"X-Forwarded-Proto": "http"})
    assert status == 301 and headers["Location"] == f"https://{HOST}/tin-tuc/"


def test_a_client_that_reaches_nginx_itself_cannot_claim_https(behind_balancer, transactional_db):
    status, headers, _ = _get(behind_balancer["port"], "/", source=OUTSIDER, headers=FROM_BALANCER)
    assert status == 301 and headers["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in headers


def test_a_probe_by_address_gets_healthz_and_nothing_else(behind_balancer, transactional_db):
    status, _, body = _get(behind_balancer["port"], "/healthz", host="10.0.0.5")
    assert status == 200 and '"database": "ok"' in body
    assert _get(behind_balancer["port"], "/", host="10.0.0.5", headers=FROM_BALANCER)[0] == 400


def test_nginx_serves_static_files_with_hsts_itself(behind_balancer, transactional_db):
    css = next(behind_balancer["static"].glob("css/site.*.css")).name
    status, headers, _ = _get(behind_balancer["port"], f"/static/css/{css}", headers=FROM_BALANCER)
    assert status == 200 and "public, immutable" in headers.get_all("Cache-Control")
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_security_log_has_the_clients_address_not_the_balancers(behind_balancer, transactional_db):
    from portal.models import SecurityEvent

    port = behind_balancer["port"]
    _, headers, page = _get(port, "/dang-nhap/", headers=FROM_BALANCER)
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, _ = _get(
        port,
        "/dang-nhap/",
        method="POST",
        body=f"csrfmiddlewaretoken={token}&username=khong-co-ai&password=sai-mat-khau-2022",
        headers={
            **FROM_BALANCER,
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/dang-nhap/",
        },
    )
    assert status == 200  # the form again, with its error
    event = SecurityEvent.objects.get(kind="login_failed", username="khong-co-ai")
    assert event.ip_address == "203.0.113.5"
