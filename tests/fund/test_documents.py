"""Application documents are judged by their content and size, not by their names."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.uploads import UploadValidator

validate_document = UploadValidator("documents")  # what LoanDocument.file runs


def test_a_pdf_is_accepted():
    validate_document(SimpleUploadedFile("phuong-an.pdf", b"%PDF-1.7\n..."))


def test_a_script_named_pdf_is_refused():
    with pytest.raises(ValidationError, match="không đúng định dạng"):
        validate_document(SimpleUploadedFile("phuong-an.pdf", b"<script>alert(1)</script>"))


def test_a_file_over_the_limit_is_refused(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="quá lớn"):
        validate_document(SimpleUploadedFile("bao-cao.pdf", b"%PDF-" + b"0" * 2048))
