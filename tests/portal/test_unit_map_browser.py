"""Today's map in the browser: a visitor filters the directory by today's commune, opens a profile that says the
commune of today and the former one, reads the statistics by today's communes; a commune officer opens the
registry of their commune. Screenshots at 1280 and 360 px go to artifacts/."""

import re
from datetime import date

import pytest

from portal.models import AdministrativeUnit
from tests.conftest import follow, login_in_browser
from tests.cooperatives.factories import CooperativeFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def registry(transactional_db, demo):
    def unit(code):
        return AdministrativeUnit.objects.get(code=code)

    return [
        CooperativeFactory(
            name="Hợp tác xã Lúa Tôm Ninh Quới A", unit=unit("956-03"), certificate_date=date(2019, 4, 2), slug="a"
        ),
        CooperativeFactory(
            name="Hợp tác xã Nông nghiệp Ninh Quới", unit=unit("956-02"), certificate_date=date(2016, 3, 1), slug="b"
        ),
        CooperativeFactory(
            name="Hợp tác xã Dịch vụ Ninh Quới Mới", unit=unit("31849"), certificate_date=date(2025, 9, 8), slug="c"
        ),
        CooperativeFactory(
            name="Hợp tác xã Muối Long Điền", unit=unit("960-02"), certificate_date=date(2015, 1, 5), slug="d"
        ),
    ]


def test_a_visitor_finds_the_cooperatives_of_a_commune_of_today_and_reads_where_one_was_before(
    page, mobile_page, live_server, registry, artifacts_dir
):
    page.goto(f"{live_server.url}/hop-tac-xa/")
    page.select_option("#id_xa", label="Xã Ninh Quới")
    follow(page, "button:has-text('Lọc')")
    names = sorted(page.locator(".coop-name").all_inner_texts())
    assert names == [
        "Hợp tác xã Dịch vụ Ninh Quới Mới",
        "Hợp tác xã Lúa Tôm Ninh Quới A",
        "Hợp tác xã Nông nghiệp Ninh Quới",
    ]
    page.screenshot(path=artifacts_dir / "ban-do-danh-ba-xa-hien-nay-1280.png", full_page=True)

    follow(page, "text=Hợp tác xã Lúa Tôm Ninh Quới A")
    page.wait_for_url(re.compile(r"/hop-tac-xa/a/$"))
    body = page.locator("main").inner_text()
    assert "Địa bàn hiện nay\nXã Ninh Quới, Tỉnh Cà Mau" in body
    assert "Địa bàn cũ (đến 30/06/2025)\nXã Ninh Quới A, Huyện Hồng Dân" in body
    page.screenshot(path=artifacts_dir / "ban-do-ho-so-1280.png", full_page=True)

    page.goto(f"{live_server.url}/hop-tac-xa/thong-ke/")
    assert "theo địa bàn hiện nay" in page.locator("main").inner_text()
    page.screenshot(path=artifacts_dir / "ban-do-thong-ke-1280.png", full_page=True)
    follow(page, "#map-switch")
    assert "trước ngày 01/7/2025" in page.locator("main").inner_text()

    for path, name in [("/hop-tac-xa/a/", "ho-so"), ("/hop-tac-xa/thong-ke/", "thong-ke")]:
        mobile_page.goto(f"{live_server.url}{path}")
        width = mobile_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways ({width}px)"
        mobile_page.screenshot(path=artifacts_dir / f"ban-do-{name}-360.png", full_page=True)


def test_a_commune_officer_opens_the_registry_of_their_commune_with_its_old_communes(
    page, live_server, registry, artifacts_dir
):
    login_in_browser(page, live_server, "ninhquoi")
    page.goto(f"{live_server.url}/hop-tac-xa/quan-ly/danh-sach/")
    names = sorted(page.locator(".coop-name").all_inner_texts())
    assert names == [
        "Hợp tác xã Dịch vụ Ninh Quới Mới",
        "Hợp tác xã Lúa Tôm Ninh Quới A",
        "Hợp tác xã Nông nghiệp Ninh Quới",
    ]
    page.screenshot(path=artifacts_dir / "ban-do-can-bo-xa-1280.png", full_page=True)
