"""Every upload field in the project against every hostile file: refused with a Vietnamese message, nothing stored.

The fields are reached the way people reach them: the two import pages and the officer's report form over HTTP,
and the admin's own forms (inlines included) built by the registered ModelAdmin. Hostile files are made here, in
memory: a real zip bomb (200 MB of zeros, about 200 KB packed) is built once per test run.
"""

import io
import os
import re
import uuid
import zipfile
from datetime import date
from functools import cache

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from cooperatives.models import Congress, CongressDocument, ImportJob
from directives.models import Document, DocumentFile, ReportFile, ReportRequest
from fund.models import Loan, LoanDocument
from portal.models import SiteSettings
from portal.uploads import display_name, validate_upload
from public.models import Article, Attachment
from tests.directives.factories import report_request as make_report_request

pytestmark = pytest.mark.security

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(size=4) -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(stream, "PNG")  # noise: no compression
    return stream.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    stream = io.BytesIO()
    Workbook().save(stream)
    return stream.getvalue()


@cache
def zip_bomb(kind: str) -> bytes:
    """A well-formed Office file whose one part inflates to 200 MB of zeros (~200 KB packed, ~0.6 s to build)."""
    part = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open(part, "w") as member:
            zeros = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(zeros)
    return stream.getvalue()


@cache
def many_small_bombs() -> bytes:
    """A 'wide' zip: more members than any real document has (each one costs memory and time to list)."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for n in range(10_001):
            archive.writestr(f"xl/x{n}.xml", b"")
    return stream.getvalue()


# name -> (file name, content, words the refusal must contain; None = any error on the field)
HOSTILE = {
    "html_named_pdf": ("cong-van.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>", None),
    "pdf_with_html_inside": ("cong-van.pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", None),
    "pdf_with_javascript_action": (
        "cong-van.pdf",
        PDF.replace(b"/Catalog", b"/Catalog/OpenAction<</S/JavaScript"),
        None,
    ),
    "zip_bomb_as_docx": ("bao-cao.docx", "bomb:docx", "bom zip"),
    "zip_bomb_as_xlsx": ("so-lieu.xlsx", "bomb:xlsx", "bom zip"),
    "zip_with_10001_members": ("so-lieu.xlsx", "wide", "bom zip"),
    "docx_named_xlsx": ("so-lieu.xlsx", "docx", None),
    "windows_program_named_pdf": ("cong-van.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, None),
    "svg_with_onload_named_png": ("anh.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', None),
    "truncated_png": ("anh.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
    "pdf_named_exe": ("cai-dat.exe", PDF, None),
    "double_extension": ("cong-van.pdf.html", PDF, None),
    "empty_file": ("cong-van.pdf", b"", None),
    "oversize_file": ("cong-van.pdf", "oversize", "quá lớn"),
}
SIZE_LIMIT_FOR_OVERSIZE = 64 * 1024


def content_of(spec, field_kind: str) -> bytes:
    if isinstance(spec, bytes):
        return spec
    if spec.startswith("bomb:"):
        return zip_bomb(spec[5:])
    if spec == "wide":
        return many_small_bombs()
    if spec == "docx":
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("[Content_Types].xml", b"<Types/>")
            archive.writestr("word/document.xml", b"<w:document/>")
        return stream.getvalue()
    assert spec == "oversize"
    # Valid content of the field's own kind, just over the (lowered) limit.
    if field_kind == "images":
        return png(200)
    if field_kind in ("xlsx", "imports"):
        return xlsx() + b"\0" * SIZE_LIMIT_FOR_OVERSIZE  # trailing bytes after the zip directory are legal
    return PDF + b"%" * SIZE_LIMIT_FOR_OVERSIZE


def hostile(name: str, field_kind: str) -> SimpleUploadedFile:
    file_name, spec, _words = HOSTILE[name]
    if spec == "oversize":
        file_name = {"images": "anh.png", "xlsx": "so.xlsx", "imports": "so.xlsx"}.get(field_kind, file_name)
    return SimpleUploadedFile(file_name, content_of(spec, field_kind))


GOOD = {"documents": ("cong-van.pdf", PDF), "images": ("anh.png", png()), "xlsx": ("so.xlsx", None)}


def good(field_kind: str) -> SimpleUploadedFile:
    name, content = GOOD.get(field_kind, ("so.xlsx", None))
    return SimpleUploadedFile(name, content if content is not None else xlsx())


# --- The admin forms -----------------------------------------------------------------------------------------------

# (parent model, model, field, what the field accepts, other form data)
ADMIN_FIELDS = {
    "congress_document": (Congress, CongressDocument, "file", "documents", {"kind": "minutes", "title": "Biên bản"}),
    "directive_document_file": (Document, DocumentFile, "file", "documents", {}),
    "loan_document": (Loan, LoanDocument, "file", "documents", {"title": "Phương án"}),
    "news_attachment": (Article, Attachment, "file", "documents", {"name": "Kế hoạch", "order": 0}),
    "news_cover": (None, Article, "cover", "images", {}),
    "site_logo": (None, SiteSettings, "logo", "images", {}),
}


def admin_form_class(parent, model, superuser):
    request = RequestFactory().get("/quan-tri/")
    request.user = superuser
    if parent is None:
        return admin.site._registry[model].get_form(request)
    parent_admin = admin.site._registry[parent]
    inline = next(i for i in parent_admin.get_inline_instances(request) if i.model is model)
    return inline.get_formset(request).form


def admin_file_errors(key, upload, superuser) -> list[str]:
    parent, model, field, _kind, data = ADMIN_FIELDS[key]
    form = admin_form_class(parent, model, superuser)(data=data, files={field: upload})
    form.is_valid()
    return form.errors.get(field, [])


@pytest.fixture
def superuser_obj(db):
    from portal.models import User

    return User.objects.create_superuser("root-upload", "r@example.vn", "x")


@pytest.mark.parametrize("key", ADMIN_FIELDS)
def test_each_admin_upload_field_accepts_a_good_file(key, superuser_obj):
    assert admin_file_errors(key, good(ADMIN_FIELDS[key][3]), superuser_obj) == []


@pytest.mark.parametrize("attack", HOSTILE)
@pytest.mark.parametrize("key", ADMIN_FIELDS)
def test_each_admin_upload_field_refuses_each_hostile_file(key, attack, superuser_obj, settings):
    kind = ADMIN_FIELDS[key][3]
    if attack == "oversize_file":
        settings.PORTAL_MAX_UPLOAD_BYTES = SIZE_LIMIT_FOR_OVERSIZE
    errors = admin_file_errors(key, hostile(attack, kind), superuser_obj)
    assert errors, f"{key} accepted {attack}"
    words = HOSTILE[attack][2]
    if words and kind != "images":  # image fields may refuse earlier, with Django's own "not an image" message
        assert words in " ".join(errors)


# --- The pages people upload through ---------------------------------------------------------------------------------

PAGES = {
    "cooperatives_import": (
        "/hop-tac-xa/quan-ly/nhap-du-lieu/",
        "imports",
        "alliance_staff",
        {"resource": "cooperatives"},
    ),
    "fund_loan_book_import": ("/quy-ho-tro/quan-ly/nhap-so-vay/", "xlsx", "fund_officer", {}),
    "officer_report_attachment": ("report", "documents", "officer_hong_dan", {"version": 0, "action": "save"}),
}


def stored_count() -> int:
    return ImportJob.objects.count() + ReportFile.objects.count() + Loan.objects.count()


@pytest.fixture
def page_setup(request, client, db):
    def setup(key):
        url, kind, actor, data = PAGES[key]
        user = request.getfixturevalue(actor)
        client.force_login(user)
        if url == "report":
            report_request = make_report_request(
                [user.agency],
                title="Báo cáo 6 tháng",
                kind=ReportRequest.Kind.SEMIANNUAL,
                period_end=date(2022, 6, 30),
                deadline=date(2022, 7, 15),
                indicator_codes=[],
            )
            url = f"/bao-cao/yeu-cau/{report_request.pk}/"
        field = "attachment" if key == "officer_report_attachment" else "file"
        return url, kind, field, dict(data)

    return setup


@pytest.mark.parametrize("attack", HOSTILE)
@pytest.mark.parametrize("key", PAGES)
def test_each_upload_page_refuses_each_hostile_file_in_vietnamese(key, attack, page_setup, client, settings):
    url, kind, field, data = page_setup(key)
    if attack == "oversize_file":
        settings.PORTAL_MAX_UPLOAD_BYTES = SIZE_LIMIT_FOR_OVERSIZE
    before = stored_count()
    response = client.post(url, {**data, field: hostile(attack, kind)})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    words = HOSTILE[attack][2] or ("rỗng" if attack == "empty_file" else "không đúng định dạng")
    if attack == "empty_file":
        words = "rỗng" if kind == "documents" else "Tệp"  # Django's own "the file is empty" comes first on forms
    assert words in page
    assert stored_count() == before


@pytest.mark.parametrize("key", PAGES)
def test_each_upload_page_accepts_a_good_file(key, page_setup, client):
    url, kind, field, data = page_setup(key)
    response = client.post(url, {**data, field: good(kind)})
    assert "không đúng định dạng" not in response.content.decode()
    assert "bom zip" not in response.content.decode()


def multipart(fields: dict, file_field: str, filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A request body with the file name exactly as a hostile client sends it (the test client would clean it)."""
    boundary = "----fuzz" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        (b"../../etc/passwd.pdf", "passwd.pdf"),
        (b"..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        (b"/etc/cron.d/job.pdf", "job.pdf"),
        ("báo cáo\x00.html.pdf".encode(), "báo cáo.html.pdf"),
        ("hợp đồng\u202eFDP.exe.pdf".encode(), "hợp đồngFDP.exe.pdf"),
        (b"%2e%2e%2f%2e%2e%2fescape.pdf", "%2e%2e%2f%2e%2e%2fescape.pdf"),
        (("x" * 400 + ".pdf").encode(), None),
    ],
)
def test_a_hostile_file_name_is_stored_under_a_generated_name_and_shown_cleaned(
    filename, shown, page_setup, client, settings
):
    url, _kind, field, data = page_setup("officer_report_attachment")
    body, content_type = multipart(data, field, filename, PDF)
    response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 302
    stored = ReportFile.objects.get()
    assert re.fullmatch(r"bao-cao/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", stored.file.name)
    assert stored.file.path.startswith(str(settings.PORTAL_PRIVATE_MEDIA_ROOT))
    if shown:
        assert stored.original_name == shown
    assert len(stored.original_name) <= 180 and stored.original_name.endswith(".pdf")
    assert all(ch.isprintable() for ch in stored.original_name)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\bao-cao.docx", "bao-cao.docx"),
        ("a\x00b\x07c.pdf", "abc.pdf"),
        ("\u202egnp.exe", "gnp.exe"),
        ("  ..  ", "tệp"),
        ("", "tệp"),
        ("Đơn   xin\tvay.pdf", "Đơn xin vay.pdf"),
    ],
)
def test_display_names_lose_folders_controls_and_direction_marks(raw, clean):
    assert display_name(raw) == clean


def test_a_real_xlsx_with_a_repetitive_sheet_is_not_taken_for_a_bomb():
    from openpyxl import Workbook

    book = Workbook()
    for _row in range(3000):
        book.active.append(["Hợp tác xã Nông nghiệp", 0, 0, 0, "01/01/2024"])
    stream = io.BytesIO()
    book.save(stream)
    assert validate_upload(SimpleUploadedFile("so.xlsx", stream.getvalue()), "xlsx") == "xlsx"
