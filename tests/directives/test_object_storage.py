"""Report attachments with the private files on a bucket (a real SeaweedFS): an officer's upload goes to the bucket,
not to this host's disk, and comes back only through the permission-checked view, byte for byte."""

from directives.models import Report
from tests.infra.fixtures import PRIVATE_BUCKET

from .factories import PDF_BYTES, pdf_upload
from .test_workspace import _post


def _upload(client, officer, h1_request):
    client.force_login(officer)
    response = client.post(f"/bao-cao/yeu-cau/{h1_request.pk}/", _post(h1_request, 0, attachment=pdf_upload("BC.pdf")))
    assert response.status_code == 302
    return Report.objects.get().files.get()


def test_an_officers_attachment_is_stored_in_the_private_bucket_only(
    s3_storages, settings, client, officer_hong_dan, h1_request
):
    item = _upload(client, officer_hong_dan, h1_request)
    stored = s3_storages.client().get_object(Bucket=PRIVATE_BUCKET, Key=item.file.name)["Body"].read()
    assert stored == PDF_BYTES
    assert s3_storages.anonymous_get(PRIVATE_BUCKET, item.file.name) == 403
    local = settings.PORTAL_PRIVATE_MEDIA_ROOT
    assert not local.exists() or not any(p.is_file() for p in local.rglob("*"))


def test_province_staff_download_the_attachment_from_the_bucket_with_the_download_headers(
    s3_storages, client, officer_hong_dan, h1_request, alliance_staff
):
    item = _upload(client, officer_hong_dan, h1_request)
    client.force_login(alliance_staff)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;") and "BC.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_an_officer_of_another_district_gets_a_404_for_the_attachment(
    s3_storages, client, officer_hong_dan, officer_dong_hai, h1_request
):
    item = _upload(client, officer_hong_dan, h1_request)
    client.force_login(officer_dong_hai)
    assert client.get(item.get_absolute_url()).status_code == 404
