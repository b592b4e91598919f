"""The one base of every protected upload (portal.storage.PrivateFile) and its admin inline: the name people see
comes from the upload, made safe, unless staff typed one where the admin lets them; a model that records the size
gets it from the file."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cooperatives.models import CongressDocument
from directives.models import DocumentFile, ReportFile
from directives.services import report_attach
from fund.models import LoanDocument
from portal.admin_uploads import PrivateFileInline
from portal.models import Agency
from portal.storage import PrivateFile
from tests.directives.factories import PDF_BYTES, DocumentFactory, filled_report, report_request
from tests.fund.factories import LoanFactory


def test_every_protected_upload_shares_the_base_and_the_inline():
    from django.contrib import admin

    for model in (CongressDocument, LoanDocument, DocumentFile, ReportFile):
        assert issubclass(model, PrivateFile)
    inlines = [
        inline
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if issubclass(inline.model, PrivateFile) and "file" in (inline.fields or [])
    ]
    assert {inline.model for inline in inlines} == {CongressDocument, LoanDocument, DocumentFile}
    assert all(issubclass(inline, PrivateFileInline) for inline in inlines)


def test_a_new_upload_on_an_existing_paper_brings_its_own_name(db):
    document = LoanDocument.objects.create(
        loan=LoanFactory(), title="Phương án", file=SimpleUploadedFile("Phương án cũ.pdf", PDF_BYTES)
    )
    document.file = SimpleUploadedFile("Phương án\u202e mới.pdf", PDF_BYTES)
    document.save()
    document.refresh_from_db()
    assert document.original_name == "Phương án mới.pdf"


def test_a_name_typed_for_a_document_file_wins_and_the_size_is_recorded(db):
    item = DocumentFile.objects.create(
        document=DocumentFactory(), original_name="Công văn số 5.pdf", file=SimpleUploadedFile("scan.pdf", PDF_BYTES)
    )
    assert (item.original_name, item.size) == ("Công văn số 5.pdf", len(PDF_BYTES))
    assert "scan" not in item.file.name


def test_a_report_file_attached_by_the_service_takes_its_name_and_size_from_the_upload(officer_hong_dan):
    hong_dan = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    report = filled_report(report_request([hong_dan]), hong_dan)
    upload = SimpleUploadedFile("../Phụ lục\x00 1.pdf", PDF_BYTES)
    stored = report_attach(report=report, upload=upload, by=officer_hong_dan)
    stored.refresh_from_db()
    assert (stored.original_name, stored.size) == ("Phụ lục 1.pdf", len(PDF_BYTES))
