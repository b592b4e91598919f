"""The signature badge and its details on a document page, at 1280 and 360 px (screenshots for people to look at)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import DocumentFile
from directives.services import file_signature_check
from portal.models import TrustedRoot
from tests.portal.signing_ca import append_page, make_ca, plain_pdf

from .factories import DocumentFactory

pytestmark = pytest.mark.browser


def test_the_document_page_shows_a_valid_and_an_invalid_signature_readably(
    transactional_db, directives_demo, page, mobile_page, live_server, artifacts_dir
):
    ca = make_ca()
    TrustedRoot.objects.create(name="CA thử nghiệm Cổng HTX", certificate_pem=ca.root_pem, source="demo")
    with ThreadPoolExecutor(max_workers=1) as pool:  # pyHanko signs in its own event loop, Playwright holds one here
        signed = pool.submit(ca.sign, plain_pdf(), timestamp=True).result()
        changed = pool.submit(append_page, signed).result()
    document = DocumentFactory()
    for name, data in [("Công văn đã ký số.pdf", signed), ("Bản bị sửa sau khi ký.pdf", changed)]:
        item = DocumentFile(document=document, file=SimpleUploadedFile(name, data))
        item.save()
        file_signature_check(kind="document", file_id=item.pk)
    for browser_page, width in [(page, 1280), (mobile_page, 360)]:
        browser_page.goto(f"{live_server.url}{document.get_absolute_url()}")
        for summary in browser_page.locator(".sig-details summary").all():
            summary.click()
        assert browser_page.locator(".badge-ok", has_text="Hợp lệ").count() == 1
        assert browser_page.locator(".badge-bad", has_text="Không hợp lệ").count() == 1
        assert browser_page.evaluate("document.documentElement.scrollWidth") <= width
        browser_page.screenshot(path=str(artifacts_dir / f"signature-document-{width}.png"), full_page=True)


def test_the_public_check_page_shows_the_verdict_of_an_uploaded_pdf_at_360_px(
    transactional_db, mobile_page, live_server, artifacts_dir, tmp_path
):
    ca = make_ca()
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(ca.sign, plain_pdf(), timestamp=True).result()
    path = tmp_path / "Công văn ký số.pdf"
    path.write_bytes(signed)
    mobile_page.goto(f"{live_server.url}/kiem-tra-chu-ky/")
    mobile_page.set_input_files("#id_pdf", str(path))
    mobile_page.click("button[type=submit]")
    mobile_page.wait_for_selector("text=Kết quả: Chữ ký hợp lệ nhưng chứng thư chưa được tin cậy")
    mobile_page.click(".sig-details summary")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    mobile_page.screenshot(path=str(artifacts_dir / "signature-check-360.png"), full_page=True)
