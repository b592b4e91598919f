"""The pilot block of the dashboard and the before/after comparison on a profile, in Chromium at 1280 and 360 px;
screenshots go to artifacts/ for a person to look at."""

import io

import pytest

from cooperatives import demo as registry_demo
from cooperatives.models import Cooperative
from tests.conftest import login_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_registry(transactional_db, demo):
    registry_demo.load(io.StringIO())
    return Cooperative.objects.get(registration_code="1900000001")


@pytest.mark.parametrize("width", [1280, 360])
def test_the_dashboard_totals_and_a_pilots_comparison_read_well(
    browser, live_server, demo_registry, artifacts_dir, width
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", is_mobile=width < 600
    )
    page = context.new_page()
    try:
        login_in_browser(page, live_server, "lienminh")
        page.goto(f"{live_server.url}/hop-tac-xa/quan-ly/")
        block = page.locator("section.pilot-dashboard")
        assert "HTX điểm" in block.inner_text() and "6.200.000.000 ₫" in block.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        block.screenshot(path=artifacts_dir / f"htx-diem-bang-theo-doi-{width}.png")

        page.goto(f"{live_server.url}/hop-tac-xa/quan-ly/{demo_registry.slug}/#htx-diem")
        section = page.locator("section.pilot")
        text = section.inner_text()
        assert "Chưa có số liệu các năm trước năm 2019" in text
        assert "tăng" in text and "(mới nhất)" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        section.screenshot(path=artifacts_dir / f"htx-diem-ho-so-{width}.png")
    finally:
        context.close()
