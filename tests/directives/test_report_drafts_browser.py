"""The report form in Chromium: the draft autosaves while the officer types and comes back after a reload, on
another device, and after the session ends; each prefilled figure shows its source. Screenshots at 1280 and 360 px
go to PORTAL_SHOTS_DIR (default: artifacts/)."""

import os
from io import StringIO
from pathlib import Path

import pytest

from directives.models import ReportDraft, ReportRequest
from tests.conftest import follow, login_in_browser

pytestmark = pytest.mark.browser

TYPED = "Hoàn thành rà soát 12 hợp tác xã; 3 hợp tác xã đề nghị hỗ trợ xây dựng phương án sản xuất."


def _shots(artifacts_dir) -> Path:
    path = Path(os.environ.get("PORTAL_SHOTS_DIR") or artifacts_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_draft_autosaves_while_typing_and_comes_back_after_a_reload_and_on_another_device(
    transactional_db, demo, page, mobile_page, live_server, artifacts_dir
):
    from cooperatives import demo as cooperatives_demo
    from directives import demo as directives_demo

    cooperatives_demo.load(StringIO())  # the registry first, so the reports' figures are prefilled from it
    directives_demo.load(StringIO())
    shots = _shots(artifacts_dir)
    request = ReportRequest.objects.get(title="Báo cáo kinh tế tập thể 6 tháng đầu năm 2022")
    url = f"{live_server.url}/bao-cao/yeu-cau/{request.pk}/"
    page.set_viewport_size({"width": 1280, "height": 900})
    login_in_browser(page, live_server, "hongdan")
    assert page.goto(url).status == 200
    sources = page.locator(".prefill-source")
    assert sources.count() >= 10
    assert "Theo sổ đăng ký HTX ngày 30/06/2022" in sources.first.inner_text()
    assert page.locator(".prefill-source a").count() >= 4  # the lists behind the counts
    page.screenshot(path=shots / "report-form-1280.png", full_page=True)

    page.fill("#id_section_0", TYPED)  # no blur: the 10-second debounce saves it
    page.wait_for_selector(".autosave-status:has-text('Đã lưu nháp lúc')", timeout=20_000)
    assert ReportDraft.objects.get().data["section_0"] == TYPED
    total = page.locator("#id_ind_htx_total")
    total.fill(str(int(total.get_attribute("data-prefilled")) + 1))
    assert page.locator("#id_ind_htx_total_nguon .prefill-changed").is_visible()

    page.reload()
    assert page.input_value("#id_section_0") == TYPED
    assert "Đang hiển thị bản nháp tự lưu" in page.inner_text(".report-draft-note")

    login_in_browser(mobile_page, live_server, "hongdan")  # another device
    assert mobile_page.goto(url).status == 200
    assert mobile_page.input_value("#id_section_0") == TYPED
    mobile_page.screenshot(path=shots / "report-form-360.png", full_page=True)
    assert mobile_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # The reviewer sees both figures, the source and which the unit changed, and never the draft.
    report = request.reports.get(agency__name="Ủy ban nhân dân Huyện Hồng Dân")
    for target, width in ((page, 1280), (mobile_page, 360)):
        target.context.clear_cookies()
        login_in_browser(target, live_server, "lienminh")
        assert target.goto(f"{live_server.url}{report.get_absolute_url()}").status == 200
        assert target.locator(".value-changed").count() >= 1 and TYPED not in target.content()
        target.screenshot(path=shots / f"report-review-{width}.png", full_page=True)


def test_text_typed_after_the_session_ended_is_restored_after_logging_in_again(
    transactional_db, h1_request, page, live_server, artifacts_dir
):
    url = f"{live_server.url}/bao-cao/yeu-cau/{h1_request.pk}/"
    login_in_browser(page, live_server, "hongdan")
    page.goto(url)
    page.context.clear_cookies()  # the session ends while the officer types
    page.fill("#id_section_1", "Thiếu vốn lưu động")
    follow(page, "button[value=save]")
    assert "Không gửi được biểu mẫu" in page.inner_text("h1")  # no cookie left: the CSRF check refuses first
    login_in_browser(page, live_server, "hongdan")
    page.goto(url)
    assert page.input_value("#id_section_1") == "Thiếu vốn lưu động"
    page.wait_for_selector(".autosave-status:has-text('Đã lưu nháp lúc')", timeout=20_000)
    assert ReportDraft.objects.get().data["section_1"] == "Thiếu vốn lưu động"
