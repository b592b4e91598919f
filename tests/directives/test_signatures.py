"""Signed PDFs uploaded to a document (admin) or a report (officer): checked after the upload commits, shown beside
the file, re-checked when the trusted roots change."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Document, DocumentFile, Report
from portal.models import TrustedRoot
from tests.portal.signing_ca import make_ca, plain_pdf

from .factories import DocumentFactory
from .test_workspace import _post


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def signed(ca):
    return ca.sign(plain_pdf(), timestamp=True)


@pytest.fixture
def trusted(db, ca):
    return TrustedRoot.objects.create(name="CA thử nghiệm", certificate_pem=ca.root_pem, source="demo")


def _admin_upload(client, superuser, document, name, data):
    client.force_login(superuser)
    url = f"/admin/directives/document/{document.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    post = {key: value for key, value in form.initial.items() if value is not None and not isinstance(value, list)}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for key, value in management.initial.items():
            post[f"{management.prefix}-{key}"] = value
    post.update(
        {
            "issue_date": document.issue_date.strftime("%d/%m/%Y"),
            "files-0-file": SimpleUploadedFile(name, data, content_type="application/pdf"),
            "files-0-original_name": "",
        }
    )
    if document.effective_date:
        post["effective_date"] = document.effective_date.strftime("%d/%m/%Y")
    return client.post(url, post)


def test_a_signed_pdf_uploaded_in_the_document_admin_is_checked_and_shown_on_the_page(
    client, directives_demo, superuser, trusted, signed, django_capture_on_commit_callbacks
):
    document = DocumentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_upload(client, superuser, document, "Công văn ký số.pdf", signed)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    item = DocumentFile.objects.get(document=document)
    assert item.signature_state == "valid" and item.signature_checked_at is not None
    client.logout()
    page = client.get(document.get_absolute_url()).content.decode()
    assert '<span class="badge badge-ok">Hợp lệ</span>' in page
    assert "Nguyễn Văn An" in page and "UBND Huyện Hồng Dân" in page and "Chữ ký số: Hợp lệ" in page


def test_the_page_says_the_check_is_pending_until_the_task_ran(client, directives_demo, signed):
    document = DocumentFactory()
    DocumentFile(document=document, file=SimpleUploadedFile("ky-so.pdf", signed)).save()  # no commit: no task yet
    assert "Đang kiểm tra chữ ký số…" in client.get(document.get_absolute_url()).content.decode()


def test_an_officers_signed_report_file_is_checked_and_shown_on_the_report_page(
    client, officer_hong_dan, h1_request, signed, django_capture_on_commit_callbacks
):
    client.force_login(officer_hong_dan)
    upload = SimpleUploadedFile("Báo cáo ký số.pdf", signed, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/bao-cao/yeu-cau/{h1_request.pk}/", _post(h1_request, 0, attachment=upload))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.files.get().signature_state == "untrusted"  # the test CA is not trusted here
    page = client.get(report.get_absolute_url()).content.decode()
    assert '<span class="badge badge-warn">Chưa tin cậy</span>' in page
    assert "Chữ ký hợp lệ nhưng chứng thư chưa được tin cậy" in page


def test_trusting_a_new_root_rechecks_the_signed_files(directives_demo, ca, signed, django_capture_on_commit_callbacks):
    document = DocumentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        item = DocumentFile.objects.create(document=document, file=SimpleUploadedFile("a.pdf", signed))
    unsigned = DocumentFile(document=document, file=SimpleUploadedFile("b.pdf", plain_pdf()))
    with django_capture_on_commit_callbacks(execute=True):
        unsigned.save()
    item.refresh_from_db()
    assert item.signature_state == "untrusted"
    with django_capture_on_commit_callbacks(execute=True):
        TrustedRoot.objects.create(name="CA thử nghiệm", certificate_pem=ca.root_pem)
    item.refresh_from_db()
    unsigned.refresh_from_db()
    assert item.signature_state == "valid" and unsigned.signature_state == "unsigned"


def test_staff_recheck_the_signatures_from_the_document_list(
    client, directives_demo, superuser, trusted, signed, django_capture_on_commit_callbacks
):
    document = DocumentFactory()
    item = DocumentFile(document=document, file=SimpleUploadedFile("a.pdf", signed))
    item.save()  # still pending: its task never ran
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/directives/document/",
            {"action": "recheck_signatures", "_selected_action": [document.pk]},
            follow=True,
        )
    assert "Đã đưa 1 tệp PDF vào hàng đợi kiểm tra chữ ký số." in response.content.decode()
    item.refresh_from_db()
    assert item.signature_state == "valid"
    assert Document.objects.filter(pk=document.pk).exists()


def test_anyone_checks_a_pdf_on_the_public_page_and_it_is_not_kept(client, db, signed, settings):
    settings.PORTAL_SIGNATURE_CHECKS_PER_HOUR = 2
    for _ in range(2):
        upload = SimpleUploadedFile("ky-so.pdf", signed, content_type="application/pdf")
        page = client.post("/kiem-tra-chu-ky/", {"pdf": upload}).content.decode()
        assert "Kết quả: Chữ ký hợp lệ nhưng chứng thư chưa được tin cậy" in page and "Nguyễn Văn An" in page
    assert not DocumentFile.objects.exists()
    upload = SimpleUploadedFile("ky-so.pdf", signed, content_type="application/pdf")
    page = client.post("/kiem-tra-chu-ky/", {"pdf": upload}).content.decode()
    assert "Bạn đã kiểm tra quá nhiều tệp trong một giờ." in page and "Kết quả:" not in page


def test_the_public_page_refuses_a_file_that_is_not_a_pdf_in_vietnamese(client, db):
    upload = SimpleUploadedFile("anh.pdf", b"GIF89a....", content_type="application/pdf")
    response = client.post("/kiem-tra-chu-ky/", {"pdf": upload})
    assert response.status_code == 200 and "Tệp không phải PDF." in response.content.decode()
