"""Small builders for directives tests (factory-boy where a row is built many times)."""

import io
import zipfile
from datetime import date

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Document, Report, ReportRequest, ReportValue, Task, TaskAssignment
from directives.services import report_get_or_create

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    doc_type = Document.Type.PLAN
    number = factory.Sequence(lambda n: f"{n + 100}/KH-UBND")
    slug = factory.Sequence(lambda n: f"{n + 100}-kh-ubnd")
    issuer = "UBND tỉnh Bạc Liêu"
    issue_date = date(2022, 3, 1)
    field = "Kinh tế tập thể"
    summary = factory.Sequence(lambda n: f"Kế hoạch phát triển hợp tác xã số {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    document = factory.SubFactory(DocumentFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = "Củng cố, nâng cao chất lượng hoạt động của các hợp tác xã"
    deadline = date(2022, 6, 30)


def assignment(agency, **task_fields) -> TaskAssignment:
    return TaskAssignment.objects.create(task=TaskFactory(**task_fields), agency=agency)


def report_request(agencies, **fields) -> ReportRequest:
    defaults = {
        "title": "Báo cáo năm 2022",
        "kind": ReportRequest.Kind.ANNUAL,
        "period_start": date(2022, 1, 1),
        "period_end": date(2022, 12, 31),
        "deadline": date(2023, 1, 15),
        "sections": "Kết quả",
        "indicator_codes": ["htx_total", "members"],
    }
    request = ReportRequest.objects.create(**{**defaults, **fields})
    request.agencies.set(agencies)
    return request


def filled_report(request, agency, **values) -> Report:
    report = report_get_or_create(request=request, agency=agency)
    for code in request.indicator_codes:
        ReportValue.objects.filter(report=report, code=code).update(value=values.get(code, 1))
    return report


def pdf_upload(name="bao-cao.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def zip_bytes(entries: dict[str, bytes], first: str | None = None) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        if first:
            archive.writestr(first, entries.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return stream.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def odt_bytes(kind="text") -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}".encode()
    return zip_bytes({"mimetype": mimetype, "content.xml": b"<office:document-content/>"}, first="mimetype")


def png_bytes() -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(stream, "PNG")
    return stream.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    stream = io.BytesIO()
    Workbook().save(stream)
    return stream.getvalue()
