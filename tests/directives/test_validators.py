import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.validators import validate_upload

from .factories import PDF_BYTES, docx_bytes, odt_bytes, png_bytes, xlsx_bytes, zip_bytes

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("cong-van.pdf", PDF_BYTES, "pdf"),
        ("bao-cao.docx", docx_bytes(), "docx"),
        ("so-lieu.xlsx", xlsx_bytes(), "xlsx"),
        ("bao-cao.odt", odt_bytes("text"), "odt"),
        ("so-lieu.ods", odt_bytes("spreadsheet"), "ods"),
        ("cu.doc", OLE2, "ole2"),
        ("cu.xls", OLE2, "ole2"),
        ("anh.PNG", png_bytes(), "image"),
    ],
)
def test_files_of_each_accepted_kind_pass_by_their_content(name, content, kind):
    assert validate_upload(SimpleUploadedFile(name, content)) == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100),  # a Windows program named .pdf
        ("trang.pdf", b"<html><script>alert(1)</script></html>"),
        ("bao-cao.docx", PDF_BYTES),  # a PDF pretending to be Word
        ("bao-cao.docx", zip_bytes({"a.txt": b"hello"})),  # a zip that is not an Office file
        ("bao-cao.xlsx", docx_bytes()),  # Word content named as Excel
        ("anh.png", b"\x89PNG\r\n\x1a\nnot really"),
        ("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("chay.exe", PDF_BYTES),
    ],
)
def test_files_whose_content_does_not_match_an_accepted_kind_are_refused_in_vietnamese(name, content):
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile(name, content))
    assert "không đúng định dạng" in caught.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("lon.pdf", PDF_BYTES + b"%" * 200))
    assert "quá lớn" in caught.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("rong.pdf", b""))
