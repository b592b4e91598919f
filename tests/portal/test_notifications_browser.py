"""The inbox in Chromium at 1280 and 360 px: the header's unread count, opening a notification, marking all read.
Screenshots go to artifacts/ for a person to look at."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Notification, User
from portal.notify import notify
from tests.conftest import follow, login_in_browser

pytestmark = pytest.mark.browser

TITLES = [
    "Báo cáo bị trả lại, cần nộp lại: Báo cáo kinh tế tập thể 6 tháng đầu năm 2022",
    "Quá hạn nhiệm vụ: 1047/UBND-KT, nhiệm vụ 3",
    "Hợp tác xã Nông nghiệp Ninh Quới: Đại hội thành viên thường niên đã quá hạn (hạn 30/04/2026).",
    "Tổng hợp việc cần làm tuần 49/2026",
]


@pytest.fixture
def inbox(transactional_db, demo):
    user = User.objects.get(username="hongdan")
    for n, title in enumerate(TITLES):
        notify([user], title=title, link="/bao-cao/")
        Notification.objects.filter(title=title).update(created_at=timezone.now() - timedelta(hours=n * 20))
    Notification.objects.filter(title=TITLES[-1]).update(read_at=timezone.now())
    return user


@pytest.mark.parametrize("width", [1280, 360])
def test_the_inbox_and_the_header_count(inbox, browser, live_server, artifacts_dir, width):
    context = browser.new_context(
        viewport={"width": width, "height": 800 if width > 400 else 780},
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        is_mobile=width < 400,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login_in_browser(page, live_server, "hongdan")
        page.goto(f"{live_server.url}/bao-cao/")
        assert page.locator(".header-inbox .unread-count").inner_text() == "3"
        page.screenshot(path=artifacts_dir / f"thong-bao-header-{width}.png")
        follow(page, ".header-inbox")
        assert page.locator("h1").inner_text() == "Thông báo của bạn"
        assert page.locator(".notice-unread").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=artifacts_dir / f"thong-bao-{width}.png", full_page=True)
        follow(page, f"text={TITLES[1]}")  # opening marks it read and goes to what it is about
        assert page.url.endswith("/bao-cao/")
        assert page.locator(".header-inbox .unread-count").inner_text() == "2"
        page.goto(f"{live_server.url}/thong-bao/")
        follow(page, "text=Đánh dấu đã đọc tất cả")
        assert page.locator(".notice-unread").count() == 0
        assert page.locator(".header-inbox .unread-count").count() == 0
        page.screenshot(path=artifacts_dir / f"thong-bao-da-doc-{width}.png", full_page=True)
    finally:
        context.close()
