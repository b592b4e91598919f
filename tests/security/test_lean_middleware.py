"""The middleware that does less per request still protects as before: the CSP kept per path equals django-csp's,
messages and simple-history's context still work where a request uses them, one language whatever the browser."""

from dataclasses import asdict

import pytest
from csp.constants import NONCE, SELF
from csp.utils import build_policy
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from portal.middleware import LazyMessageMiddleware, SignedInHistoryMiddleware
from portal.middleware_security import PortalCSPMiddleware

pytestmark = pytest.mark.security


def _django_csp(path: str) -> str:
    """The header django-csp itself builds for a blank response on `path`, with our admin exception."""
    request, response = RequestFactory().get(path), HttpResponse()
    middleware = PortalCSPMiddleware(lambda r: response)
    return build_policy(**asdict(middleware.get_policy_parts(request, response)))


@pytest.mark.parametrize("path", ["/", "/tin-tuc/", "/admin/login/"])
def test_the_csp_kept_per_path_is_the_one_django_csp_builds(client, db, path):
    for _ in range(2):  # the first response builds it, the second is served the kept copy
        response = client.get(path)
        assert response["Content-Security-Policy"] == _django_csp(path)
    assert ("'unsafe-inline'" in response["Content-Security-Policy"]) == path.startswith("/admin/")


def test_a_changed_policy_setting_reaches_the_header_at_once(client, db, settings):
    client.get("/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/")["Content-Security-Policy"] == "default-src 'none'"


def test_a_page_that_asks_for_a_nonce_gets_it_in_its_own_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    middleware = PortalCSPMiddleware(view)
    plain = PortalCSPMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))  # kept for the path
    assert "nonce" not in plain["Content-Security-Policy"]
    request = RequestFactory().get("/")
    response = middleware(request)
    assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in response["Content-Security-Policy"]


def _with_messages(view):
    return SessionMiddleware(LazyMessageMiddleware(view))


def test_a_message_added_for_an_anonymous_reader_is_stored_for_the_next_page(db):
    def view(request):
        messages.success(request, "Cảm ơn bạn đã gửi ý kiến.")
        return HttpResponse()

    response = _with_messages(view)(RequestFactory().get("/"))
    assert "messages" in response.cookies and response.cookies["messages"].value

    def next_page(request):
        return HttpResponse(" ".join(str(m) for m in messages.get_messages(request)))

    request = RequestFactory().get("/")
    request.COOKIES["messages"] = response.cookies["messages"].value
    shown = _with_messages(next_page)(request)
    assert shown.content.decode() == "Cảm ơn bạn đã gửi ý kiến."
    assert shown.cookies["messages"]["max-age"] == 0  # read once, then cleared


def test_a_page_that_does_not_read_messages_leaves_them_for_the_next(db):
    def view(request):
        messages.info(request, "Đã lưu.")
        return HttpResponse()

    stored = _with_messages(view)(RequestFactory().get("/")).cookies["messages"].value
    request = RequestFactory().get("/tin-tuc/")
    request.COOKIES["messages"] = stored
    response = _with_messages(lambda request: HttpResponse("ok"))(request)
    assert "messages" not in response.cookies  # untouched: still in the browser for the page that shows them


def test_history_knows_the_request_of_a_post_and_of_a_session_but_not_of_an_anonymous_get(settings):
    seen = []

    def view(request):
        seen.append(getattr(HistoricalRecords.context, "request", None) is request)
        return HttpResponse()

    middleware = SignedInHistoryMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/"))
    middleware(factory.post("/dang-nhap/"))  # logging in happens in a POST without a session cookie
    with_session = factory.get("/admin/")
    with_session.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    middleware(with_session)
    assert seen == [False, True, True]
    assert getattr(HistoricalRecords.context, "request", None) is None  # cleared after each request


def test_an_english_browser_still_gets_vietnamese_and_pages_do_not_vary_on_its_language(client, db):
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in response.content.decode()
    admin = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Tên đăng nhập" in admin or "Đăng nhập" in admin
    assert "Log in" not in admin
    assert "Accept-Language" not in response.get("Vary", "")
