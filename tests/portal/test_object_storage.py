"""Uploads on object storage (a real SeaweedFS, tests/infra/s3.py): private files in a bucket of their own that
only signed requests read, served by the permission-checked views; public media linked same-origin at /media/."""

import pytest
from botocore.response import StreamingBody
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.checks import private_storage_check
from portal.storage import PrivateStorage, attachment_response
from tests.infra.fixtures import MEDIA_BUCKET, MEDIA_PREFIX, PRIVATE_BUCKET

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _local_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_private_storage_is_the_bucket_when_one_is_configured(s3_storages, settings):
    name = PrivateStorage().save("thu/a.pdf", ContentFile(PDF))
    head = s3_storages.client().head_object(Bucket=PRIVATE_BUCKET, Key=name)
    assert head["ContentLength"] == len(PDF)
    assert s3_storages.anonymous_get(PRIVATE_BUCKET, name) == 403
    assert _local_files(settings.PORTAL_PRIVATE_MEDIA_ROOT) == []


def test_a_model_field_follows_the_private_storage_when_the_settings_change(s3_storages, settings):
    from fund.models import LoanDocument

    field = LoanDocument._meta.get_field("file")
    assert field.storage.bucket_name == PRIVATE_BUCKET


def test_a_private_file_has_no_url_at_all(s3_storages):
    with pytest.raises(ValueError):
        PrivateStorage().url("thu/a.pdf")


def test_a_download_streams_the_exact_bytes_with_the_attachment_headers(s3_storages, db):
    from directives.models import DocumentFile
    from tests.directives.factories import DocumentFactory

    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("Kế hoạch.pdf", PDF))
    item.save()
    response = attachment_response(item.file, item.original_name)
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_a_download_reads_the_bucket_as_it_streams_not_a_local_copy(s3_storages, db):
    from directives.models import DocumentFile
    from tests.directives.factories import DocumentFactory

    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("lon.pdf", PDF))
    item.save()
    response = attachment_response(item.file, item.original_name)
    # botocore's body of the GET, read chunk by chunk; not django-storages' S3File, which downloads the whole
    # object into a temporary file before the first byte goes out.
    assert isinstance(response.file_to_stream, StreamingBody)
    response.close()


def test_a_missing_object_is_a_404_not_a_500(s3_storages, client, db, alliance_staff):
    from directives.models import DocumentFile
    from tests.directives.factories import DocumentFactory

    item = DocumentFile(document=DocumentFactory(), file=SimpleUploadedFile("mat.pdf", PDF))
    item.save()
    s3_storages.client().delete_object(Bucket=PRIVATE_BUCKET, Key=item.file.name)
    client.force_login(alliance_staff)
    assert client.get(item.get_absolute_url()).status_code == 404


def test_public_media_is_linked_on_the_site_itself_and_stored_under_the_public_prefix(s3_storages):
    media = storages["default"]
    picture = b"\x89PNG\r\n\x1a\nanh"
    name = media.save("tin-tuc/anh bìa.png", ContentFile(picture))
    assert media.url(name) == "/media/tin-tuc/anh%20b%C3%ACa.png"
    key = f"{MEDIA_PREFIX}/{name}"
    assert s3_storages.client().head_object(Bucket=MEDIA_BUCKET, Key=key)["ContentLength"] == len(picture)
    assert s3_storages.anonymous_get(MEDIA_BUCKET, key) == 200  # what nginx fetches for /media/<name>


def test_the_settings_of_the_private_bucket_pass_the_check(s3_storages):
    assert private_storage_check(None) == []


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"custom_domain": "files.example.vn"}, "custom domain"),
        ({"querystring_auth": False}, "not signed"),
        ({"default_acl": "public-read"}, "public-read"),
        ({"bucket_name": MEDIA_BUCKET}, "/media/"),
    ],
)
def test_a_private_bucket_that_could_be_read_unsigned_is_an_error(s3_storages, settings, change, problem):
    private = settings.STORAGES["private"]
    settings.STORAGES = {**settings.STORAGES, "private": {**private, "OPTIONS": {**private["OPTIONS"], **change}}}
    errors = private_storage_check(None)
    assert [e.id for e in errors] == ["portal.E011"]
    assert problem in errors[0].msg


def test_private_files_in_a_folder_under_the_public_media_are_an_error(settings):
    assert private_storage_check(None) == []
    settings.PORTAL_PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT / "rieng"
    assert [e.id for e in private_storage_check(None)] == ["portal.E012"]
