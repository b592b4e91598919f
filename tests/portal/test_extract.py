"""The text of attachments (portal.extract): text PDFs, scans through Tesseract, DOCX, XLSX, and every failure
ending as a state on the row, never as an exception."""

import glob
import io
import os
import subprocess
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from directives.models import Document, DocumentFile
from portal import extract
from portal.search import fold
from tests.attachment_files import PAGES, docx_bytes, scanned_pdf, text_pdf, xlsx_bytes


@pytest.fixture(autouse=True)
def _fresh_memo():
    """Each test here reads its files for real: no OCR result kept by an earlier test of the process."""
    extract._memo.clear()
    yield
    extract._memo.clear()


def run(tmp_path, content: bytes, extension: str, progress=None) -> extract.Extraction:
    path = tmp_path / f"in{extension}"
    path.write_bytes(content)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return extract.extract_path(str(path), extension, cwd=str(work), progress=progress)


def test_a_text_pdf_is_read_page_by_page_without_ocr(tmp_path):
    result = run(tmp_path, text_pdf(), ".pdf")
    assert (result.state, result.method, result.total_pages, result.ocr_pdf) == ("done", "text", 2, None)
    first, second = result.text.split("\f")
    assert "tom cang xanh" in fold(first) and "vit chay dong" in fold(second)


def test_a_scanned_pdf_is_read_by_ocr_and_gets_a_copy_with_a_text_layer(tmp_path):
    steps = []
    result = run(tmp_path, scanned_pdf(tmp_path), ".pdf", progress=lambda *step: steps.append(step))
    assert (result.state, result.method, result.total_pages) == ("done", "ocr", 2)
    pages = [fold(page) for page in result.text.split("\f")]
    for word in ["tom cang xanh", "phuoc long"]:
        assert word in pages[0]
    for word in ["vit chay dong", "hong dan", "huu co"]:
        assert word in pages[1]
    assert (2, 2, True) in steps and (0, 2, True) in steps  # progress moves page by page
    layer = subprocess.run(["pdftotext", result.ocr_pdf, "-"], capture_output=True, check=True).stdout.decode()
    assert "vit chay dong" in fold(layer) and "hong dan" in fold(layer)


def test_docx_paragraphs_and_tables_and_xlsx_sheets_are_read(tmp_path):
    docx = run(tmp_path, docx_bytes(), ".docx")
    assert docx.state == "done" and "Ninh Quới" in docx.text and "Doanh thu | 1.500.000 ₫" in docx.text
    xlsx = run(tmp_path, xlsx_bytes(), ".xlsx")
    assert xlsx.total_pages == 2
    first, second = xlsx.text.split("\f")
    assert "Tổng hợp" in first and "Đông Hải | 42" in first and "Vĩnh Hậu | trồng nhãn" in second


def test_an_image_is_read_by_ocr(tmp_path):
    scan = tmp_path / "one"
    scan.mkdir()
    scanned_pdf(scan, PAGES[1:])
    png = next(iter(glob.glob(str(scan / "scan*.png"))))
    result = run(tmp_path, open(png, "rb").read(), ".png")
    assert result.method == "ocr" and "vit chay dong" in fold(result.text)


def test_a_broken_pdf_and_an_old_word_file_end_as_states_not_exceptions(tmp_path):
    broken = run(tmp_path, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", ".pdf")
    assert broken.state == "failed" and broken.error == extract.BROKEN
    old = run(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".doc")
    assert old.state == "unsupported" and "DOC" in old.error


def test_without_tesseract_a_scan_fails_with_a_clear_message(tmp_path, monkeypatch):
    # PATH keeps pdftoppm (in /usr/bin) reachable through a folder of its own, without tesseract.
    only = tmp_path / "bin"
    only.mkdir()
    os.symlink("/usr/bin/pdftoppm", only / "pdftoppm")
    monkeypatch.setenv("PATH", str(only))
    result = run(tmp_path, scanned_pdf(tmp_path), ".pdf")
    assert (result.state, result.error) == ("failed", "Máy chủ chưa cài Tesseract (tesseract-ocr-vie).")


def test_text_is_cleaned_of_nul_and_capped(tmp_path, settings):
    settings.PORTAL_EXTRACT_MAX_CHARS = 10
    result = extract.Extraction(pages=["a\x00b", "cdefghijklmnop"])
    assert result.text == "ab\fcdefghi"


@pytest.fixture
def public_document(db):
    return Document.objects.create(doc_type="cong_van", number="77/LM", slug="77-lm", issuer="Liên minh HTX tỉnh",
                                   issue_date=date(2026, 3, 2), summary="Về việc tổng kết năm")  # fmt: skip


def test_an_upload_is_extracted_after_commit_and_its_document_becomes_findable(
    public_document, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = DocumentFile.objects.create(document=public_document, file=ContentFile(text_pdf(), name="cv.pdf"))
        assert DocumentFile.objects.get(pk=row.pk).text_state == "pending"  # the request does not wait
    assert len(callbacks) == 2  # the text and, for a PDF, its signature check
    row.refresh_from_db()
    assert (row.text_state, row.text_pages, row.text_done_pages, row.text_method) == ("done", 2, 2, "text")
    assert row.text_progress() == "Xong (văn bản, 2 trang)"
    public_document.refresh_from_db()
    assert "vit chay dong" in public_document.search_text
    # Saving the row again without a new file enqueues nothing; a replaced file is extracted again.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        DocumentFile.objects.get(pk=row.pk).save()
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = DocumentFile.objects.get(pk=row.pk)
        row.file = ContentFile(docx_bytes(), name="bien-ban.docx")
        row.save()
    assert len(callbacks) == 1
    row.refresh_from_db()
    public_document.refresh_from_db()
    assert "Ninh Quới" in row.text and "ninh quoi" in public_document.search_text
    assert "vit chay dong" not in public_document.search_text


def test_a_scanned_upload_gets_an_ocr_copy_in_the_same_private_storage(
    public_document, tmp_path, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = DocumentFile.objects.create(document=public_document, file=ContentFile(scanned_pdf(tmp_path), "s.pdf"))
    row.refresh_from_db()
    original = row.file.read()
    assert row.text_method == "ocr" and row.ocr_file.name.startswith("ocr/")
    assert row.ocr_file.storage is row.file.storage
    response = client.get(f"/van-ban/tep/{row.pk}/ocr/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) != original
    page = client.get(public_document.get_absolute_url()).content.decode()
    assert "Bản có lớp chữ (OCR)" in page


def test_the_rescan_command_fills_rows_left_waiting(public_document):
    row = DocumentFile.objects.create(document=public_document, file=ContentFile(xlsx_bytes(), name="bang.xlsx"))
    assert DocumentFile.objects.get(pk=row.pk).text_state == "pending"  # no commit in this test: still waiting
    out = io.StringIO()
    call_command("extract_attachments", "--missing", "--sync", stdout=out)
    assert "1 tệp" in out.getvalue()
    row.refresh_from_db()
    assert row.text_state == "done" and "Vĩnh Hậu" in row.text


def test_the_row_shows_ocr_progress_page_by_page_while_the_worker_reads_it(public_document, tmp_path, monkeypatch):
    row = DocumentFile.objects.create(document=public_document, file=ContentFile(scanned_pdf(tmp_path), "s.pdf"))
    seen = []
    real = extract._tesseract

    def spy(*args, **kwargs):
        seen.append(DocumentFile.objects.get(pk=row.pk).text_progress())
        return real(*args, **kwargs)

    monkeypatch.setattr(extract, "_tesseract", spy)
    assert extract.attachment_extract_text(label="directives.DocumentFile", pk=row.pk) == "done"
    assert seen == ["OCR: trang 0/2", "OCR: trang 1/2"]
    row.refresh_from_db()
    assert (row.text_done_pages, row.text_pages, row.text_progress()) == (2, 2, "Xong (OCR, 2 trang)")


def test_the_same_scan_uploaded_again_is_not_read_by_tesseract_again(public_document, tmp_path, monkeypatch):
    scan = scanned_pdf(tmp_path)
    first = DocumentFile.objects.create(document=public_document, file=ContentFile(scan, "a.pdf"))
    assert extract.attachment_extract_text(label="directives.DocumentFile", pk=first.pk) == "done"
    calls = []
    real = extract._tesseract
    monkeypatch.setattr(extract, "_tesseract", lambda *a, **k: calls.append(a) or real(*a, **k))
    second = DocumentFile.objects.create(document=public_document, file=ContentFile(scan, "b.pdf"))
    assert extract.attachment_extract_text(label="directives.DocumentFile", pk=second.pk) == "done"
    first.refresh_from_db()
    second.refresh_from_db()
    assert calls == []
    assert (second.text, second.text_method, second.text_pages) == (first.text, first.text_method, first.text_pages)
    assert second.ocr_file and second.ocr_file.name != first.ocr_file.name
    assert second.ocr_file.read() == first.ocr_file.read()
    # Other bytes are read for real.
    other = DocumentFile.objects.create(document=public_document, file=ContentFile(scan + b"\n%%x", "c.pdf"))
    assert extract.attachment_extract_text(label="directives.DocumentFile", pk=other.pk) == "done"
    assert len(calls) == 2
