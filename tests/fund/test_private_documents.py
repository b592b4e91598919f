"""Borrowers' application papers are private: stored outside MEDIA_ROOT under a generated name and served only to
fund and alliance staff, as a download that browsers do not sniff."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url

from fund.models import LoanDocument

from .factories import LoanFactory

PDF = b"%PDF-1.7\nphuong an vay von\n"


@pytest.fixture
def document(db):
    loan = LoanFactory()
    return LoanDocument.objects.create(
        loan=loan, title="Phương án sản xuất", file=SimpleUploadedFile("Phương án của ông Ba.pdf", PDF)
    )


def _url(document):
    return f"/quy-ho-tro/quan-ly/tai-lieu/{document.pk}/"


def test_an_uploaded_paper_lands_outside_media_root_under_a_generated_name(document):
    path = document.file.path
    assert path.startswith(str(settings.PORTAL_PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert "Phương" not in document.file.name and document.file.name.startswith("quy-ho-tro/")
    assert document.original_name == "Phương án của ông Ba.pdf"


def test_a_private_paper_has_no_public_url(document):
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def test_an_anonymous_visitor_is_sent_to_log_in(client, document):
    response = client.get(_url(document))
    assert response.status_code == 302 and response.url.startswith(resolve_url(settings.LOGIN_URL))


def test_a_district_officer_gets_a_404_even_for_a_loan_in_their_district(client, document, officer_hong_dan):
    document.loan.cooperative.unit = officer_hong_dan.agency.unit
    document.loan.cooperative.save()
    client.force_login(officer_hong_dan)
    assert client.get(_url(document)).status_code == 404


def test_an_officer_of_another_district_gets_a_404(client, document, officer_dong_hai):
    client.force_login(officer_dong_hai)
    assert client.get(_url(document)).status_code == 404


@pytest.mark.parametrize("who", ["fund_officer", "alliance_staff", "superuser"])
def test_fund_and_alliance_staff_download_the_paper_as_an_unsniffed_attachment(client, document, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Ph%C6%B0%C6%A1ng" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_loan_page_and_the_admin_link_the_download_view_never_a_media_url(client, document, superuser):
    client.force_login(superuser)
    for url in (f"/quy-ho-tro/quan-ly/ho-so/{document.loan.pk}/", f"/admin/fund/loan/{document.loan.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert _url(document) in html, url
        assert "/media/" not in html and document.file.name not in html, url


def test_staff_who_may_only_view_a_loan_see_its_papers_as_download_links_not_a_500(client, document, alliance_staff):
    # A read-only inline would render the file with its storage URL, which private files do not have.
    client.force_login(alliance_staff)
    page = client.get(f"/admin/fund/loan/{document.loan.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _url(document) in html and document.file.name not in html


def test_a_missing_paper_is_a_404_not_a_500(client, document, fund_officer):
    document.file.storage.delete(document.file.name)
    client.force_login(fund_officer)
    assert client.get(_url(document)).status_code == 404


def test_the_migration_helper_moves_papers_left_in_media_root_once(document):
    from portal.storage import move_public_files_to_private

    public = settings.MEDIA_ROOT / "fund" / str(document.loan_id)
    public.mkdir(parents=True)
    (public / "hop-dong.pdf").write_bytes(PDF)
    LoanDocument.objects.filter(pk=document.pk).update(file=f"fund/{document.loan_id}/hop-dong.pdf", original_name="")

    assert move_public_files_to_private(LoanDocument, "quy-ho-tro", name_field="original_name") == 1
    document.refresh_from_db()
    assert not (public / "hop-dong.pdf").exists()
    assert document.file.name.startswith("quy-ho-tro/") and document.original_name == "hop-dong.pdf"
    assert document.file.read() == PDF
    assert move_public_files_to_private(LoanDocument, "quy-ho-tro", name_field="original_name") == 0
