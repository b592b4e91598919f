"""In Chromium: pages obey the Content-Security-Policy (no violation reported), a superuser enrols the second
factor by QR code and reaches the admin, and the lock-out page reads well on a phone."""

import base64
import re

import pytest

from tests.conftest import follow, login_in_browser

from .conftest import totp_token

pytestmark = [pytest.mark.security, pytest.mark.browser]


def _watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_a_superuser_enrols_by_qr_and_the_admin_runs_without_csp_violations(
    page, live_server, superuser, settings, otp_required, artifacts_dir
):
    violations = _watch_csp(page)
    page.goto(live_server.url + "/")
    login_in_browser(page, live_server, "quantri")
    page.goto(live_server.url + "/admin/")
    assert "/tai-khoan/xac-thuc-hai-buoc/" in page.url
    assert page.locator("svg.otp-qr").is_visible()
    page.screenshot(path=str(artifacts_dir / "security-otp-enrol-1280.png"), full_page=True)

    secret = page.locator(".otp-secret").inner_text().replace(" ", "")
    page.fill("#id_token", totp_token(base64.b32decode(secret).hex()))
    follow(page, "button[type=submit]:has-text('Xác nhận và bật')")
    assert page.url.rstrip("/").endswith("/admin")
    assert page.locator("text=Quản trị Cổng HTX").first.is_visible()

    for path in ["/admin/portal/user/", "/admin/portal/user/add/", "/admin/portal/securityevent/", "/dang-nhap/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state()
    page.goto(live_server.url + "/admin/portal/securityevent/")
    page.screenshot(path=str(artifacts_dir / "security-log-admin-1280.png"), full_page=True)
    assert not violations, violations


def test_the_enrolment_page_and_lockout_page_fit_a_phone(mobile_page, live_server, alliance_staff, artifacts_dir):
    page = mobile_page
    violations = _watch_csp(page)
    login_in_browser(page, live_server, "lienminh")
    page.goto(live_server.url + "/tai-khoan/xac-thuc-hai-buoc/")
    box = page.locator(".otp-qr-box").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "security-otp-enrol-360.png"), full_page=True)

    page.context.clear_cookies()
    for _ in range(5):
        page.goto(live_server.url + "/dang-nhap/")
        page.fill("#id_username", "hongdan")
        page.fill("#id_password", "sai-mat-khau")
        follow(page, "button[type=submit]")
    assert page.locator("h1").inner_text() == "Tạm khóa đăng nhập"
    assert re.search(r"15 phút", page.content())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "security-lockout-360.png"), full_page=True)
    assert not violations, violations
