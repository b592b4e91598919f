"""Every demo account signs in through the real form and lands on its start page, at desktop and phone width."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import follow, login_in_browser

pytestmark = pytest.mark.browser

# username -> (start page path, its heading)
LANDS = {
    "quantri": ("/lam-viec/viec-cho-xu-ly/", "Việc chờ xử lý"),
    "lienminh": ("/lam-viec/viec-cho-xu-ly/", "Việc chờ xử lý"),
    "quy": ("/quy-ho-tro/quan-ly/", "Sổ cho vay"),
    "bientap": ("/lam-viec/bien-tap/", "Bàn biên tập"),
    "hongdan": ("/bao-cao/", "Báo cáo của đơn vị"),
    "donghai": ("/bao-cao/", "Báo cáo của đơn vị"),
    "sonn": ("/bao-cao/", "Báo cáo của đơn vị"),
}


@pytest.fixture
def whole_demo(transactional_db, demo):
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def shots(artifacts_dir):
    """Where screenshots go: PORTAL_SHOTS_DIR when set (a reviewer's folder), else the git-ignored artifacts."""
    path = Path(os.environ.get("PORTAL_SHOTS_DIR") or artifacts_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_each_demo_account_lands_on_its_start_page_at_1280_and_360_px(
    whole_demo, page, mobile_page, live_server, shots
):
    page.set_viewport_size({"width": 1280, "height": 900})
    for username, (path, heading) in LANDS.items():
        for target, width in ((page, 1280), (mobile_page, 360)):
            target.context.clear_cookies()
            login_in_browser(target, live_server, username)
            assert target.url == f"{live_server.url}{path}", username
            assert target.locator("main h1").inner_text() == heading
            if width == 360:
                menu = target.locator("#menu-cong-cu")
                assert not menu.is_visible()  # folded behind its button on a phone
                target.click(".staff-nav-toggle")
                assert menu.is_visible()
                assert target.locator(".staff-nav-toggle").get_attribute("aria-expanded") == "true"
                # Nothing scrolls sideways on a phone: neither the page nor a table inside its scrolling frame.
                wide = target.evaluate(
                    """() => [document.documentElement, ...document.querySelectorAll('.table-wrap')]
                        .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.className || e.tagName)"""
                )
                assert wide == [], (username, wide)
            else:
                assert target.locator("#menu-cong-cu").is_visible()
            target.screenshot(path=shots / f"start-{username}-{width}.png", full_page=True)


def test_a_next_address_wins_over_the_start_page(whole_demo, page, live_server):
    page.goto(f"{live_server.url}/quy-ho-tro/bao-cao/")  # asks to sign in first, with ?next=
    assert "/dang-nhap/?next=/quy-ho-tro/bao-cao/" in page.url
    page.fill("#id_username", "quy")
    from django.conf import settings

    page.fill("#id_password", settings.DEMO_PASSWORD)
    follow(page, "button[type=submit]")
    assert page.url == f"{live_server.url}/quy-ho-tro/bao-cao/"


def test_the_staff_menu_leads_the_fund_officer_to_the_portfolio_report(whole_demo, page, live_server, shots):
    page.set_viewport_size({"width": 1280, "height": 900})
    login_in_browser(page, live_server, "quy")
    follow(page, "#menu-cong-cu >> text=Báo cáo danh mục cho vay")
    assert page.url == f"{live_server.url}/quy-ho-tro/bao-cao/"
    assert page.locator("#menu-cong-cu a[aria-current=page]").inner_text() == "Báo cáo danh mục cho vay"
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("#cong-cu-lam-viec").is_visible()
    page.screenshot(path=shots / "admin-index-quy-1280.png", full_page=True)
