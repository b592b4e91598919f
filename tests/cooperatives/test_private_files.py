"""Congress minutes and resolutions and import spreadsheets are private: stored outside MEDIA_ROOT under generated
names, served only to users whose scope sees the cooperative (or, for imports, to the uploader and province-wide
staff), as downloads that browsers do not sniff."""

from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url

from cooperatives.models import CongressDocument, ImportJob

from .factories import CongressFactory, CooperativeFactory

PDF = b"%PDF-1.7\nbien ban dai hoi\n"
XLSX = b"PK\x03\x04 danh sach thanh vien"


@pytest.fixture
def minutes(hong_dan_commune):
    cooperative = CooperativeFactory(unit=hong_dan_commune)
    congress = CongressFactory(cooperative=cooperative, fiscal_year=2024, held_date=date(2025, 3, 20))
    return CongressDocument.objects.create(
        congress=congress,
        kind=CongressDocument.Kind.MINUTES,
        title="Biên bản đại hội thường niên 2025",
        file=SimpleUploadedFile("Biên bản ĐH 2025.pdf", PDF),
    )


@pytest.fixture
def job(alliance_staff):
    upload = SimpleUploadedFile("danh-sach-htx.xlsx", XLSX)
    return ImportJob.objects.create(
        resource="cooperatives", file=upload, original_name=upload.name, created_by=alliance_staff
    )


def _assert_attachment(response, body):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# Congress documents


def test_congress_minutes_land_outside_media_root_under_a_generated_name(minutes):
    assert minutes.file.path.startswith(str(settings.PORTAL_PRIVATE_MEDIA_ROOT))
    assert not minutes.file.path.startswith(str(settings.MEDIA_ROOT))
    assert minutes.file.name.startswith("dai-hoi/") and "2025" not in minutes.file.name.rsplit("/", 1)[1]
    assert minutes.original_name == "Biên bản ĐH 2025.pdf"


def test_an_anonymous_visitor_asking_for_minutes_is_sent_to_log_in(client, minutes):
    response = client.get(minutes.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_an_officer_of_another_district_gets_a_404_for_minutes(client, minutes, officer_dong_hai):
    client.force_login(officer_dong_hai)
    assert client.get(minutes.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["officer_hong_dan", "alliance_staff", "fund_officer"])
def test_the_districts_officer_and_province_staff_download_the_minutes(client, minutes, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(minutes.get_absolute_url())
    _assert_attachment(response, PDF)
    assert "Bi%C3%AAn%20b%E1%BA%A3n" in response["Content-Disposition"]


def test_the_internal_profile_and_the_admin_link_the_minutes_view_never_a_media_url(client, minutes, superuser):
    client.force_login(superuser)
    cooperative = minutes.congress.cooperative
    urls = [f"/hop-tac-xa/quan-ly/{cooperative.slug}/", f"/admin/cooperatives/congress/{minutes.congress.pk}/change/"]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert minutes.get_absolute_url() in html, url
        assert "/media/" not in html and minutes.file.name not in html, url


def test_staff_who_may_only_view_the_registry_see_minutes_as_download_links_not_a_500(client, minutes, fund_officer):
    client.force_login(fund_officer)
    page = client.get(f"/admin/cooperatives/congress/{minutes.congress.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert minutes.get_absolute_url() in html and minutes.file.name not in html


# Import files


def test_an_import_file_lands_outside_media_root_under_a_generated_name(job):
    assert job.file.path.startswith(str(settings.PORTAL_PRIVATE_MEDIA_ROOT))
    assert job.file.name.startswith("nhap-du-lieu/") and "danh-sach" not in job.file.name


def test_an_anonymous_visitor_asking_for_an_import_file_is_sent_to_log_in(client, job):
    response = client.get(job.get_file_url())
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_a_district_officer_cannot_reach_an_import_file(client, job, officer_dong_hai):
    client.force_login(officer_dong_hai)
    response = client.get(job.get_file_url())
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_staff_who_neither_uploaded_nor_see_the_province_get_a_404(client, job, editor):
    client.force_login(editor)
    assert client.get(job.get_file_url()).status_code == 404


def test_staff_who_neither_uploaded_nor_see_the_province_get_a_404_for_the_job_page(client, job, editor):
    client.force_login(editor)
    assert client.get(f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/").status_code == 404


def test_staff_without_the_registry_right_cannot_confirm_an_import(client, job, editor):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
    client.force_login(editor)
    assert client.post(f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/xac-nhan/").status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.CHECKED


def test_an_editor_gets_a_404_for_minutes_and_the_registrys_internal_pages(client, minutes, editor):
    # The editor's agency is the alliance, on the province's unit; only the officer role opens a unit's scope.
    client.force_login(editor)
    assert client.get(minutes.get_absolute_url()).status_code == 404
    assert client.get("/hop-tac-xa/quan-ly/").status_code == 404
    assert client.get(f"/hop-tac-xa/quan-ly/{minutes.congress.cooperative.slug}/").status_code == 404
    assert client.get("/hop-tac-xa/quan-ly/xuat/cooperatives.csv").status_code == 404


@pytest.mark.parametrize("who", ["alliance_staff", "superuser"])
def test_the_uploader_and_province_staff_download_the_import_file(client, job, who, request):
    client.force_login(request.getfixturevalue(who))
    _assert_attachment(client.get(job.get_file_url()), XLSX)


def test_the_job_page_and_the_admin_link_the_import_file_view_never_a_media_url(client, job, superuser):
    client.force_login(superuser)
    for url in (f"/hop-tac-xa/quan-ly/nhap-du-lieu/{job.pk}/", f"/admin/cooperatives/importjob/{job.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert job.get_file_url() in html, url
        assert "/media/" not in html and job.file.name not in html, url
