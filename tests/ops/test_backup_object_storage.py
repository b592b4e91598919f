"""Backup and restore with the public media and the private files on buckets (a real SeaweedFS): the backup holds
every object, in the same format as from folders; restored into an empty database and emptied buckets, the site
serves each file again, byte for byte, and nothing is written to this host's media folders."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cooperatives.models import ImportJob
from directives.models import DocumentFile
from fund.models import LoanDocument
from portal.models import User
from public.models import Attachment
from tests.directives.factories import PDF_BYTES, DocumentFactory, png_bytes
from tests.fund.factories import LoanFactory
from tests.infra.fixtures import MEDIA_BUCKET, MEDIA_PREFIX, PRIVATE_BUCKET
from tests.public.factories import ArticleFactory

pytestmark = [pytest.mark.security, pytest.mark.django_db(transaction=True)]


def _rows():
    loan = LoanDocument.objects.create(
        loan=LoanFactory(), title="Phương án vay", file=SimpleUploadedFile("pa.pdf", PDF_BYTES + b"% loan\n")
    )
    directive = DocumentFile.objects.create(
        document=DocumentFactory(is_public=False),
        file=SimpleUploadedFile("vb.pdf", PDF_BYTES + b"% directive\n"),
        original_name="vb.pdf",
    )
    job = ImportJob.objects.create(
        resource="cooperatives",
        file=SimpleUploadedFile("ds.xlsx", b"PK\x03\x04 danh sach"),
        original_name="ds.xlsx",
        created_by=User.objects.get(username="lienminh"),
    )
    article = ArticleFactory(cover=SimpleUploadedFile("anh.png", png_bytes()), cover_alt="Ảnh")
    attachment = Attachment.objects.create(
        article=article, name="Kế hoạch", file=SimpleUploadedFile("kh.pdf", PDF_BYTES + b"% public\n")
    )
    private = {
        ("quy", reverse("fund:loan_document", args=[loan.pk])): PDF_BYTES + b"% loan\n",
        ("lienminh", reverse("directives:document_file", args=[directive.pk])): PDF_BYTES + b"% directive\n",
        ("lienminh", reverse("cooperatives:import_file", args=[job.pk])): b"PK\x03\x04 danh sach",
    }
    public = {article.cover.name: png_bytes(), attachment.file.name: PDF_BYTES + b"% public\n"}
    return private, public


def _fetch(client, username, url):
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    return response.status_code, b"".join(response.streaming_content) if response.status_code == 200 else b""


def _local_files(*roots):
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_a_backup_of_the_buckets_restores_every_file_into_emptied_buckets(demo, client, settings, s3_storages):
    private, public = _rows()
    out = StringIO()
    call_command("backup", "--dest", str(settings.MEDIA_ROOT.parent / "backups"), stdout=out)
    folder = Path(out.getvalue().strip())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["media_roots"] == ["media", "media-private"]
    assert sum(name.startswith("media-private/") for name in manifest["files"]) == len(private)
    assert {name.removeprefix("media/") for name in manifest["files"] if name.startswith("media/")} == set(public)
    assert all(set(entry) == {"sha256", "size"} for entry in manifest["files"].values())

    # The disaster: a fresh database and empty buckets.
    call_command("flush", "--noinput")
    s3_storages.empty_bucket(MEDIA_BUCKET)
    s3_storages.empty_bucket(PRIVATE_BUCKET)
    assert s3_storages.client().list_objects_v2(Bucket=PRIVATE_BUCKET).get("KeyCount", 0) == 0

    out = StringIO()
    call_command("restore", str(folder), "--noinput", stdout=out)
    assert f"và {len(private) + len(public)} tệp" in out.getvalue()
    for (username, url), content in private.items():
        assert _fetch(client, username, url) == (200, content), url
    for name, content in public.items():
        assert storages["default"].open(name).read() == content, name
        assert s3_storages.anonymous_get(MEDIA_BUCKET, f"{MEDIA_PREFIX}/{name}") == 200
    assert _local_files(settings.MEDIA_ROOT, settings.PORTAL_PRIVATE_MEDIA_ROOT) == []
