"""An import whose spreadsheet is on the private bucket (a real SeaweedFS): uploaded through the staff page, checked
and applied by the tasks reading it back through the storage, with nothing on this host's disk."""

from cooperatives.models import Cooperative, ImportJob
from tests.infra.fixtures import PRIVATE_BUCKET

from .test_import import _csv, row

URL = "/hop-tac-xa/quan-ly/nhap-du-lieu/"


def test_an_import_on_the_bucket_is_checked_and_applied_with_no_local_file(
    s3_storages, settings, client, alliance_staff, units, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = _csv(row())
    client.force_login(alliance_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"resource": "cooperatives", "file": SimpleUploadedFile("htx.csv", content)})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert s3_storages.client().get_object(Bucket=PRIVATE_BUCKET, Key=job.file.name)["Body"].read() == content
    assert not settings.PORTAL_PRIVATE_MEDIA_ROOT.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{URL}{job.pk}/xac-nhan/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Cooperative.objects.filter(registration_code="1900999001").exists()
    download = client.get(job.get_file_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
