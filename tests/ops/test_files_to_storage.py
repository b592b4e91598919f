"""Moving a one-server site to buckets: `manage.py files_to_storage` copies the files of both folders into the
buckets under the same names, so every row finds its file again, and a second run copies nothing."""

from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from fund.models import LoanDocument
from public.models import Attachment
from tests.directives.factories import PDF_BYTES
from tests.fund.factories import LoanFactory
from tests.infra.fixtures import PRIVATE_BUCKET
from tests.public.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_files_on_disk_move_to_the_buckets_once_and_are_served_from_there(request, settings, client, fund_officer):
    paper = LoanDocument.objects.create(
        loan=LoanFactory(), title="Phương án", file=SimpleUploadedFile("pa.pdf", PDF_BYTES)
    )
    attachment = Attachment.objects.create(
        article=ArticleFactory(), name="Kế hoạch", file=SimpleUploadedFile("kh.pdf", PDF_BYTES + b"% public\n")
    )
    assert (settings.PORTAL_PRIVATE_MEDIA_ROOT / paper.file.name).is_file()  # the one-server layout

    s3 = request.getfixturevalue("s3_storages")
    out = StringIO()
    call_command("files_to_storage", stdout=out)
    assert "PORTAL_PRIVATE_MEDIA_ROOT" in out.getvalue() and "đã chép 1 tệp, 0 tệp đã có sẵn" in out.getvalue()
    assert s3.client().get_object(Bucket=PRIVATE_BUCKET, Key=paper.file.name)["Body"].read() == PDF_BYTES
    assert storages["default"].open(attachment.file.name).read() == PDF_BYTES + b"% public\n"
    client.force_login(fund_officer)
    response = client.get(reverse("fund:loan_document", args=[paper.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES

    out = StringIO()
    call_command("files_to_storage", stdout=out)
    assert out.getvalue().count("đã chép 0 tệp, 1 tệp đã có sẵn") == 2
