"""Issued documents in Chromium: the report page's box, the alliance's reminder letter form, and the letter in the
addressed unit's workspace. Screenshots at 1280 and 360 px go to PORTAL_SHOTS_DIR (default: artifacts/)."""

import os
from pathlib import Path

import pytest

from directives.models import Report
from directives.services import report_transition
from portal.models import Agency, IssuedDocument, Signatory
from tests.conftest import login_in_browser

from .factories import filled_report

pytestmark = pytest.mark.browser


def _shots(artifacts_dir) -> Path:
    path = Path(os.environ.get("PORTAL_SHOTS_DIR") or artifacts_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_report_box_the_letter_form_and_the_incoming_letter(
    transactional_db, demo, h1_request, hong_dan, officer_hong_dan, page, mobile_page, live_server, artifacts_dir
):
    shots = _shots(artifacts_dir)
    hong_dan.doc_code, hong_dan.place_name, hong_dan.collective_name = "UBND", "Hồng Dân", "Ủy ban nhân dân"
    hong_dan.save()
    Signatory.objects.create(agency=hong_dan, full_name="Nguyễn Văn An", title="Chủ tịch", is_head=True)
    alliance = Agency.objects.get(kind=Agency.Kind.ALLIANCE)
    alliance.doc_code, alliance.place_name = "LMHTX", "Bạc Liêu"
    alliance.save()
    Signatory.objects.create(agency=alliance, full_name="Lê Văn Tâm", title="Chủ tịch", is_head=True)
    report = filled_report(h1_request, hong_dan, htx_total=58, members=1500)
    Report.objects.filter(pk=report.pk).update(narrative={"Kết quả đạt được": "Thành lập mới 3 hợp tác xã."})
    report = report_transition(report=report, action="submit", by=officer_hong_dan)

    login_in_browser(page, live_server, "hongdan")
    for width, tab in ((1280, page), (360, mobile_page)):
        if tab is mobile_page:
            login_in_browser(tab, live_server, "hongdan")
        tab.set_viewport_size({"width": width, "height": 900})
        assert tab.goto(f"{live_server.url}{report.get_absolute_url()}").status == 200
        box = tab.locator(".issued-box")
        assert "Báo cáo số 01/BC-UBND" in box.inner_text()
        box.scroll_into_view_if_needed()
        tab.screenshot(path=str(shots / f"report-issued-box-{width}.png"), full_page=True)

    staff = page.context.browser.new_page()
    login_in_browser(staff, live_server, "lienminh")
    for width in (1280, 360):
        staff.set_viewport_size({"width": width, "height": 900})
        assert staff.goto(f"{live_server.url}/bao-cao/tong-hop/{h1_request.pk}/don-doc/").status == 200
        staff.screenshot(path=str(shots / f"letter-form-{width}.png"), full_page=True)
    boxes = staff.locator("input[name=addressees]")
    checked = [boxes.nth(i).is_checked() for i in range(boxes.count())]
    assert checked.count(True) == 1  # Đông Hải has not sent; Hồng Dân has
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="Phát hành công văn").click()
    staff.wait_for_url(f"**/bao-cao/tong-hop/{h1_request.pk}/")
    letter = IssuedDocument.objects.get(kind="CV")
    assert letter.reference == "01/LMHTX-VP"
    staff.close()

    addressed = page.context.browser.new_page()
    login_in_browser(addressed, live_server, "donghai")
    addressed.set_viewport_size({"width": 1280, "height": 900})
    addressed.goto(f"{live_server.url}/bao-cao/")
    assert "Công văn số 01/LMHTX-VP" in addressed.locator("#cong-van-den").inner_text()
    addressed.locator("#cong-van-den").scroll_into_view_if_needed()
    addressed.screenshot(path=str(shots / "workspace-incoming-letter-1280.png"))
    addressed.close()


def test_a_report_whose_pdf_the_worker_has_not_written_says_so_and_its_page_reloads_until_it_is_there(
    transactional_db, demo, h1_request, hong_dan, officer_hong_dan, page, live_server, artifacts_dir
):
    shots = _shots(artifacts_dir)
    report = report_transition(report=filled_report(h1_request, hong_dan), action="submit", by=officer_hong_dan)
    doc = IssuedDocument.objects.get(kind="BC", source_id=report.pk)
    rendered = doc.pdf.name
    IssuedDocument.objects.filter(pk=doc.pk).update(pdf="")  # as it is between the commit and the worker's render
    login_in_browser(page, live_server, "hongdan")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{report.get_absolute_url()}")
        assert "Bản PDF đang được tạo" in page.locator(".issued-box").inner_text()
        page.screenshot(path=str(shots / f"report-pdf-pending-box-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/bao-cao/van-ban-di/{doc.pk}/?xem=1")
        assert "đang được tạo bản PDF" in page.locator("main").inner_text()
        assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "5"  # it reloads itself
        page.screenshot(path=str(shots / f"report-pdf-pending-page-{width}.png"), full_page=True)
    IssuedDocument.objects.filter(pk=doc.pk).update(pdf=rendered)  # the worker is done: the next reload finds it
    answer = page.request.get(f"{live_server.url}/bao-cao/van-ban-di/{doc.pk}/?xem=1")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
