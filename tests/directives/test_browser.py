"""Flows people click through, in Chromium: the report round trip, and screenshots of the main pages."""

import pytest

from directives.models import Report
from tests.conftest import login_in_browser

pytestmark = pytest.mark.browser


def _logout(page, live_server):
    page.context.clear_cookies()


def test_an_officer_fills_saves_and_submits_staff_return_it_and_the_officer_resubmits(
    transactional_db, page, live_server, h1_request, artifacts_dir
):
    page.on("dialog", lambda dialog: dialog.accept())
    login_in_browser(page, live_server, "hongdan")
    page.goto(f"{live_server.url}/bao-cao/")
    page.click(f"text={h1_request.title}")
    page.fill("#id_section_0", "Thành lập mới 2 hợp tác xã nông nghiệp.")
    page.fill("#id_section_1", "Thiếu vốn lưu động.")
    page.fill("#id_ind_htx_total", "12")
    page.fill("#id_ind_members", "340")
    page.fill("#id_ind_boards_trained", "9")
    page.click("button[value=save]")
    page.wait_for_selector("text=Đã lưu bản nháp.")
    assert page.input_value("#id_section_0") == "Thành lập mới 2 hợp tác xã nông nghiệp."
    page.click("button[value=submit]")
    page.wait_for_selector("text=Đã gửi báo cáo tới Liên minh HTX tỉnh.")
    report = Report.objects.get()
    assert report.state == "submitted"

    _logout(page, live_server)
    login_in_browser(page, live_server, "lienminh")
    page.goto(f"{live_server.url}/bao-cao/")
    page.click(f"a[href='/bao-cao/so/{report.pk}/']")
    page.check("input[name=action][value=return]")
    page.fill("#id_comment", "Số thành viên chưa khớp sổ đăng ký, đề nghị rà soát.")
    page.screenshot(path=artifacts_dir / "directives-review-desktop.png", full_page=True)
    page.click(".review-box button[type=submit]")
    page.wait_for_selector("text=Đã cập nhật trạng thái báo cáo.")
    report.refresh_from_db()
    assert report.state == "returned"

    _logout(page, live_server)
    login_in_browser(page, live_server, "hongdan")
    page.goto(f"{live_server.url}/bao-cao/")
    assert "Số thành viên chưa khớp sổ đăng ký" in page.inner_text(".ws-comment")
    # The request's form (the workspace also lists the report's issued document under the same title).
    page.click(f"a[href='/bao-cao/yeu-cau/{h1_request.pk}/']")
    assert "Số thành viên chưa khớp sổ đăng ký" in page.inner_text(".report-returned")
    page.fill("#id_ind_members", "351")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Đã gửi báo cáo tới Liên minh HTX tỉnh.")
    report.refresh_from_db()
    assert report.state == "submitted"
    assert report.values.get(code="members").value == 351
    assert list(report.transitions.values_list("action", flat=True)) == ["submit", "return", "submit"]


PAGES = [
    ("van-ban", None, "/van-ban/?q=hop+tac+xa"),
    ("van-ban-1047", None, "/van-ban/1047-ubnd-kt/"),
    ("bao-cao-donvi", "hongdan", "/bao-cao/"),
    ("bao-cao-sua", "hongdan", "REPORT_EDIT"),
    ("tong-hop", "lienminh", "/bao-cao/tong-hop/"),
    ("tong-hop-yeu-cau", "lienminh", "REQUEST"),
    ("chi-dao-1047", "lienminh", "/bao-cao/chi-dao/1047-ubnd-kt/"),
]


def test_screenshots_of_the_main_pages_at_desktop_and_phone_width(
    transactional_db, directives_demo, page, mobile_page, live_server, artifacts_dir
):
    from directives.models import ReportRequest

    request = ReportRequest.objects.get(title="Báo cáo kinh tế tập thể 6 tháng đầu năm 2022")
    for target, suffix in ((page, "desktop"), (mobile_page, "360")):
        target.set_viewport_size({"width": 1280, "height": 900}) if suffix == "desktop" else None
        logged_in = None
        for name, user, url in PAGES:
            url = url.replace("REPORT_EDIT", f"/bao-cao/yeu-cau/{request.pk}/").replace(
                "REQUEST", f"/bao-cao/tong-hop/{request.pk}/"
            )
            if user != logged_in:
                target.context.clear_cookies()
                if user:
                    login_in_browser(target, live_server, user)
                logged_in = user
            response = target.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            target.screenshot(path=artifacts_dir / f"directives-{name}-{suffix}.png", full_page=True)
            overflow = target.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, suffix, overflow)


def test_the_task_page_lists_the_tied_reports_at_desktop_and_phone_width(
    transactional_db, directives_demo, page, mobile_page, live_server, artifacts_dir
):
    from directives.models import ReportRequest, TaskAssignment

    request = ReportRequest.objects.get(kind="task", task__isnull=False)
    task = request.task
    item = TaskAssignment.objects.get(task=task, agency__name="Ủy ban nhân dân Huyện Hồng Dân")
    pages = [
        ("task", "lienminh", f"/bao-cao/chi-dao/{task.document.slug}/#nhiem-vu-{task.order}"),
        ("assignment", "hongdan", item.get_absolute_url()),
    ]
    page.set_viewport_size({"width": 1280, "height": 900})
    for target, suffix in ((page, "1280"), (mobile_page, "360")):
        for name, user, url in pages:
            target.context.clear_cookies()
            login_in_browser(target, live_server, user)
            assert target.goto(f"{live_server.url}{url}").status == 200
            for report in request.reports.all() if name == "task" else request.reports.filter(agency=item.agency):
                assert target.locator(f"a[href='{report.get_absolute_url()}']").count() >= 1
            target.screenshot(path=artifacts_dir / f"directives-{name}-reports-{suffix}.png", full_page=True)
            assert target.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, (name, suffix)
