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
