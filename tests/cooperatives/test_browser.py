"""Flows people click through, in Chromium; screenshots of the main pages go to artifacts/ for a person to look at."""

import re

import pytest

from tests.conftest import follow, login_in_browser

from .factories import CooperativeFactory, YearlyFigureFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def registry(transactional_db, units):
    made = [
        CooperativeFactory(name="Hợp tác xã Nông nghiệp Ninh Quới", unit=units["Xã Ninh Quới"], sector="crops"),
        CooperativeFactory(name="Hợp tác xã Tôm - Lúa Vĩnh Lộc", unit=units["Xã Vĩnh Lộc"], sector="aquaculture"),
        CooperativeFactory(name="Hợp tác xã Muối Long Điền", unit=units["Xã Long Điền"], sector="salt"),
        CooperativeFactory(name="Hợp tác xã Trái cây Châu Hưng", unit=units["Thị trấn Châu Hưng"], sector="crops"),
    ]
    for coop in made:
        YearlyFigureFactory(cooperative=coop)
    return made


def test_a_visitor_filters_the_directory_searches_without_diacritics_and_opens_a_profile(
    page, live_server, registry, artifacts_dir
):
    page.goto(f"{live_server.url}/hop-tac-xa/")
    page.select_option("#id_sector", "salt")
    follow(page, "button:has-text('Lọc')")
    assert page.locator(".coop-name").all_inner_texts() == ["Hợp tác xã Muối Long Điền"]

    page.fill("#id_q", "hong dan")
    page.select_option("#id_sector", "")
    follow(page, "button:has-text('Lọc')")
    names = page.locator(".coop-name").all_inner_texts()
    assert sorted(names) == ["Hợp tác xã Nông nghiệp Ninh Quới", "Hợp tác xã Tôm - Lúa Vĩnh Lộc"]
    assert page.input_value("#id_q") == "hong dan"  # what the visitor typed is kept
    page.screenshot(path=artifacts_dir / "htx-danh-ba-1280.png", full_page=True)

    page.click("text=Hợp tác xã Tôm - Lúa Vĩnh Lộc")
    page.wait_for_url(re.compile(r"/hop-tac-xa/htx-so-\d+/$"))
    assert page.locator("h1").inner_text() == "Hợp tác xã Tôm - Lúa Vĩnh Lộc"
    body = page.locator("main").inner_text()
    assert "Xã Vĩnh Lộc, Huyện Hồng Dân" in body
    assert "0911 222 333" not in body and "095123456789" not in body
    page.screenshot(path=artifacts_dir / "htx-ho-so-1280.png", full_page=True)


def test_the_main_pages_read_well_at_360_px(mobile_page, live_server, registry, artifacts_dir):
    for path, name in [
        ("/hop-tac-xa/", "danh-ba"),
        ("/hop-tac-xa/thong-ke/", "thong-ke"),
        (registry[0].get_absolute_url(), "ho-so"),
    ]:
        mobile_page.goto(f"{live_server.url}{path}")
        width = mobile_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways ({width}px)"
        mobile_page.screenshot(path=artifacts_dir / f"htx-{name}-360.png", full_page=True)


def test_an_officer_opens_the_dashboard_and_their_notices(page, mobile_page, live_server, registry, artifacts_dir):
    from datetime import date

    from cooperatives.services import congress_reminders_send

    congress_reminders_send(on=date(2026, 5, 1), send_email=False)
    login_in_browser(page, live_server, "hongdan")
    page.goto(f"{live_server.url}/hop-tac-xa/quan-ly/")
    assert page.locator("h1").inner_text() == "Bảng theo dõi hợp tác xã"
    assert page.locator("svg.chart-svg").count() >= 3
    page.screenshot(path=artifacts_dir / "htx-bang-theo-doi-1280.png", full_page=True)
    follow(page, "text=Thông báo nhắc đại hội")
    assert "Hợp tác xã Nông nghiệp Ninh Quới" in page.locator("main").inner_text()
    assert "Muối Long Điền" not in page.locator("main").inner_text()
    page.screenshot(path=artifacts_dir / "htx-thong-bao-1280.png", full_page=True)
    login_in_browser(mobile_page, live_server, "hongdan")
    mobile_page.goto(f"{live_server.url}/hop-tac-xa/quan-ly/")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    mobile_page.screenshot(path=artifacts_dir / "htx-bang-theo-doi-360.png", full_page=True)
