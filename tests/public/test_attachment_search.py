"""A word that appears only inside an attachment finds its public document or published article, with the file,
the page of the hit and a snippet; internal documents' files never show up."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives.models import Document, DocumentFile
from public.models import Article, Attachment
from tests.attachment_files import text_pdf

from .factories import ArticleFactory

SECRET_PAGES = ["Trang đầu không có gì đặc biệt về tổ chức.", "Nuôi cua huỳnh đế trong ao nước lợ ở Hòa Bình."]


def _document(number, *, public=True, pages=SECRET_PAGES, capture):
    doc = Document.objects.create(doc_type="cong_van", number=number, slug=number.replace("/", "-").lower(),
                                  issuer="Liên minh HTX tỉnh", issue_date=date(2026, 3, 2),
                                  summary="Về việc tổng kết năm", is_public=public)  # fmt: skip
    with capture(execute=True):
        DocumentFile.objects.create(document=doc, file=ContentFile(text_pdf(pages), name=f"{doc.slug}.pdf"))
    return doc


@pytest.fixture
def documents(db, django_capture_on_commit_callbacks):
    public = _document("15/LM-VP", capture=django_capture_on_commit_callbacks)
    internal = _document("16/MAT", public=False, pages=["Trang một.", "Kế hoạch nuôi đười ươi nội bộ."],
                         capture=django_capture_on_commit_callbacks)  # fmt: skip
    return public, internal


def test_a_word_only_inside_a_public_attachment_is_found_with_its_page_and_snippet(documents, reader):
    html = reader.get("/tim-kiem/", {"q": "huynh de"}).content.decode()
    assert "15/LM-VP" in html
    assert "Trong tệp đính kèm" in html and "15-lm-vp.pdf" in html and "trang 2" in html
    assert "<mark>huỳnh</mark> <mark>đế</mark>" in html
    listed = reader.get("/van-ban/", {"q": "huỳnh đế"}).content.decode()
    assert "15/LM-VP" in listed and "trang 2" in listed and "<mark>huỳnh</mark>" in listed


def test_an_internal_documents_attachment_never_shows_in_public_search(documents, reader):
    for url in ["/tim-kiem/", "/van-ban/"]:
        html = reader.get(url, {"q": "duoi uoi"}).content.decode()
        assert "16/MAT" not in html and "đười ươi" not in html


def test_a_published_articles_attachment_is_found_and_a_drafts_is_not(db, reader, django_capture_on_commit_callbacks):
    published = ArticleFactory(title="Tổng kết mô hình", slug="tong-ket")
    draft = ArticleFactory(title="Bản nháp", slug="nhap", status=Article.Status.DRAFT, publish_at=None)
    for article, pages in [(published, SECRET_PAGES), (draft, ["Kế hoạch nuôi đười ươi."])]:
        with django_capture_on_commit_callbacks(execute=True):
            Attachment.objects.create(article=article, name="Kế hoạch.pdf", content_type="application/pdf",
                                      file=ContentFile(text_pdf(pages), name="ke-hoach.pdf"))  # fmt: skip
    html = reader.get("/tim-kiem/", {"q": "huynh de"}).content.decode()
    assert "Tổng kết mô hình" in html and "Kế hoạch.pdf" in html and "trang 2" in html
    assert "Bản nháp" not in reader.get("/tim-kiem/", {"q": "duoi uoi"}).content.decode()


def test_file_hits_cost_the_same_queries_whatever_the_number_of_results(db, reader, django_capture_on_commit_callbacks):
    def first_search(warm_up: str) -> int:
        reader.get("/tim-kiem/", {"q": warm_up})
        reader.get("/van-ban/", {"q": warm_up})
        with CaptureQueriesContext(connection) as ctx:
            html = reader.get("/tim-kiem/", {"q": "huynh de"}).content.decode()
            listed = reader.get("/van-ban/", {"q": "huynh de"}).content.decode()
        found = Document.objects.count()  # every one, by its file: 10 a page on /tim-kiem/, 20 on /van-ban/
        assert (html.count("Trong tệp đính kèm"), listed.count("Trong tệp đính kèm")) == (min(found, 10), found)
        return len(ctx.captured_queries)

    for n in range(2):
        _document(f"{n}/A", capture=django_capture_on_commit_callbacks)
    small = first_search("khong co gi")
    for n in range(2, 12):
        _document(f"{n}/A", capture=django_capture_on_commit_callbacks)
    assert first_search("van khong co gi") == small


def test_the_search_text_holds_a_capped_part_of_long_attachments(db, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_SEARCH_ATTACHMENT_CHARS = 60
    doc = _document(
        "17/A",
        pages=["mở đầu " * 20, "Nuôi cua huỳnh đế trong ao nước lợ."],
        capture=django_capture_on_commit_callbacks,
    )
    doc.refresh_from_db()
    assert "mo dau" in doc.search_text and "huynh" not in doc.search_text
    assert "huỳnh đế" in doc.files.get().text  # the file keeps it all


def test_the_cap_is_for_all_files_of_a_document_together(db, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_SEARCH_ATTACHMENT_CHARS = 50
    doc = _document("18/A", pages=["Kế hoạch tổng kết năm của Liên minh."], capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        DocumentFile.objects.create(
            document=doc, file=ContentFile(text_pdf(["Nuôi cua huỳnh đế trong ao nước lợ ở Vĩnh Hậu."]), "b.pdf")
        )
    doc.refresh_from_db()
    assert "tong ket" in doc.search_text and "nuoi cua" in doc.search_text and "vinh hau" not in doc.search_text
