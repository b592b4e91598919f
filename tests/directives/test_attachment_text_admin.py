"""Staff see each attachment's extraction state and text, and run it again."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from directives.models import Document, DocumentFile
from tests.attachment_files import docx_bytes


@pytest.fixture
def document_with_file(db, django_capture_on_commit_callbacks):
    doc = Document.objects.create(doc_type="cong_van", number="88/LM", slug="88-lm", issuer="Liên minh HTX tỉnh",
                                  issue_date=date(2026, 3, 2), summary="Về việc đại hội")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        DocumentFile.objects.create(document=doc, file=ContentFile(docx_bytes(), name="bien-ban.docx"))
    return doc


def test_the_inline_shows_the_state_and_the_text(document_with_file, client, superuser):
    client.force_login(superuser)
    html = client.get(f"/admin/directives/document/{document_with_file.pk}/change/").content.decode()
    assert "Xong (văn bản, 1 trang)" in html and "Biên bản đại hội thành viên hợp tác xã Ninh Quới" in html


def test_the_action_enqueues_the_extraction_again(
    document_with_file, client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = {"action": "reextract", "_selected_action": [document_with_file.pk]}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/admin/directives/document/", data, follow=True)
    assert "Đã xếp 1 tệp vào hàng đợi trích xuất nội dung." in response.content.decode()
    assert document_with_file.files.get().text_state == "pending" and len(callbacks) == 1
    callbacks[0]()
    assert document_with_file.files.get().text_state == "done"


def test_staff_see_that_a_file_is_still_being_read_and_readers_do_not(document_with_file, client, superuser):
    DocumentFile.objects.filter(document=document_with_file).update(text_state="ocr", text_pages=12, text_done_pages=3)
    url = document_with_file.get_absolute_url()
    assert "Đang nhận dạng chữ" not in client.get(url).content.decode()
    client.force_login(superuser)
    assert "Đang nhận dạng chữ… OCR: trang 3/12" in client.get(url).content.decode()
