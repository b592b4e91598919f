"""Security headers and cookies as a browser behind our nginx sees them: production settings, real gunicorn."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.security

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def _csp(headers) -> dict[str, str]:
    policy = headers["Content-Security-Policy"]
    assert policy, "no Content-Security-Policy header"
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";")) if part}


def _assert_hardened(headers):
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=(), " in headers["Permissions-Policy"] and "payment=(), " in headers["Permissions-Policy"]


def _cookies(headers) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in headers.get_all("Set-Cookie") or []}


def test_the_public_home_page_carries_every_security_header(production_server, transactional_db):
    status, headers, _ = production_server.request("/")
    assert status == 200
    _assert_hardened(headers)
    policy = _csp(headers)
    for directive, value in EXPECTED_CSP.items():
        assert policy[directive] == value, directive
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_the_login_page_sets_a_secure_httponly_samesite_csrf_cookie(production_server, transactional_db):
    status, headers, body = production_server.request("/dang-nhap/")
    assert status == 200 and "Đăng nhập" in body
    _assert_hardened(headers)
    assert _csp(headers)["script-src"] == "'self'"
    cookie = _cookies(headers)["__Host-csrftoken"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_logging_in_sets_a_secure_httponly_samesite_session_cookie(production_server, transactional_db):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from portal.models import User

    # Hashed the way production hashes (the server process does not know this test module's fast hasher).
    hasher = PBKDF2PasswordHasher()
    User.objects.create(username="canbo", password=hasher.encode("Mat-khau-rat-dai-2022", hasher.salt()))
    _, headers, body = production_server.request("/dang-nhap/")
    csrf_cookie = _cookies(headers)["__Host-csrftoken"].split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    status, headers, _ = production_server.request(
        "/dang-nhap/",
        data=f"csrfmiddlewaretoken={token}&username=canbo&password=Mat-khau-rat-dai-2022".encode(),
        headers={
            "Cookie": csrf_cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "https://htx.example.vn/dang-nhap/",
            "Origin": "https://htx.example.vn",
        },
    )
    assert status == 302
    cookie = _cookies(headers)["__Host-sessionid"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie


def test_the_admin_is_hardened_and_only_it_may_use_inline_styles(production_server, transactional_db):
    status, headers, body = production_server.request("/admin/login/")
    assert status == 200 and "Quản trị Cổng HTX" in body
    _assert_hardened(headers)
    policy = _csp(headers)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"


def test_plain_http_is_redirected_to_https_but_healthz_is_not(production_server, transactional_db):
    status, headers, _ = production_server.request("/", https=False)
    assert status == 301
    assert headers["Location"] == "https://htx.example.vn/"
    status, _, _ = production_server.request("/healthz", https=False)
    assert status in (200, 503)  # answered, not redirected: the load balancer probes over plain HTTP


def test_a_host_we_do_not_serve_is_refused(production_server, transactional_db):
    status, _, _ = production_server.request("/", headers={"Host": "evil.example.com"})
    assert status == 400


def test_the_admin_exception_allows_exactly_import_exports_one_inline_handler():
    """If django-import-export changes its template, the hash we allow must follow (or the button breaks)."""
    import import_export

    from portal.middleware_security import ADMIN_CSP_UPDATE

    template = Path(import_export.__file__).parent / "templates/admin/import_export/export.html"
    handlers = re.findall(r'\son\w+="([^"]*)"', template.read_text())
    assert handlers, "import-export no longer has inline handlers: drop the exception"
    allowed = ADMIN_CSP_UPDATE["script-src"]
    for handler in handlers:
        digest = base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_no_template_of_ours_has_inline_script_style_or_handlers():
    """The CSP forbids them; this finds them before a browser does."""
    patterns = {
        "inline <script> body": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I),
        "<style> element": re.compile(r"<style[\s>]", re.I),
        "style= attribute": re.compile(r"\sstyle\s*=", re.I),
        "on...= handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
    }
    found = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if "pdf" in path.parts:  # PDFs are rendered by WeasyPrint, never by a browser
            continue
        if "emails" in path.parts:  # e-mail bodies are read by mail clients, which drop <style>: inline is the norm
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in patterns.items():
            if pattern.search(text):
                found.append(f"{path.relative_to(settings.BASE_DIR)}: {what}")
    assert not found, found


def test_the_csp_is_sent_in_development_too(client, db):
    response = client.get("/dang-nhap/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
