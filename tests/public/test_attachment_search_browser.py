"""In Chromium: a reader finds a word that exists only inside a scanned attachment, and staff see the extraction
state and text in the admin. Screenshots go to artifacts/ for people to look at."""

from datetime import date
from io import StringIO

import pytest
from django.core.files.base import ContentFile

from tests.attachment_files import scanned_pdf
from tests.conftest import login_in_browser

from .test_public_browser import serious_violations

pytestmark = pytest.mark.browser

PAGES = [
    "Liên minh Hợp tác xã tỉnh đề nghị các huyện tổng hợp kết quả năm 2025 và gửi về trước ngày 15/01/2026.",
    "Mô hình nuôi cua huỳnh đế trong ao nước lợ ở xã Vĩnh Hậu cho lãi gấp đôi trồng lúa một vụ.",
]


@pytest.fixture
def site(transactional_db, live_server, settings, tmp_path):
    from directives.models import Document, DocumentFile
    from portal import demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load(StringIO())
    document = Document.objects.create(doc_type="cong_van", number="15/LM-VP", slug="15-lm-vp",
                                       issuer="Liên minh Hợp tác xã tỉnh", issue_date=date(2026, 1, 5),
                                       summary="Về việc tổng hợp kết quả kinh tế tập thể năm 2025")  # fmt: skip
    # Outside a test transaction the task runs when the save commits (eager Celery): OCR of two pages.
    DocumentFile.objects.create(document=document, original_name="Công văn 15 (bản quét).pdf",
                                file=ContentFile(scanned_pdf(tmp_path, PAGES), name="cong-van-15.pdf"))  # fmt: skip
    return live_server, document


def test_a_reader_finds_a_word_inside_a_scan_and_staff_see_its_text(site, page, artifacts_dir):
    live_server, document = site
    for width, height in [(1280, 900), (360, 780)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/tim-kiem/?q=cua+huynh+de")
        hit = page.locator(".search-hit").first
        assert "15/LM-VP" in hit.inner_text() and "trang 2" in hit.inner_text()
        assert page.locator(".search-hit mark").count() >= 2
        page.screenshot(path=str(artifacts_dir / f"attachment-search-{width}.png"), full_page=True)
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}{document.get_absolute_url()}")
    assert page.get_by_text("Bản có lớp chữ (OCR)").count() == 1

    page.set_viewport_size({"width": 1600, "height": 900})  # the admin's sidebar and a wide inline table
    login_in_browser(page, live_server, "quantri")
    page.goto(f"{live_server.url}/admin/directives/document/{document.pk}/change/")
    status = page.locator(".extract-state").first.inner_text()
    assert status == "Xong (OCR, 2 trang)"
    page.locator(".field-text_preview summary, td.field-text_preview summary").first.click()
    page.locator("#files-group").screenshot(path=str(artifacts_dir / "attachment-admin-inline.png"))
