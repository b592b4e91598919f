"""The register of outgoing documents in the admin (read-only, scoped) and the issued file's view."""

from datetime import date

import pytest
from django.urls import reverse

from portal import official
from portal.models import Agency, IssuedDocument, RegisterCounter, Signatory
from portal.official import DocumentDraft
from tests.portal.official_samples import issue_committed

FAKE_PDF = b"%PDF-1.7\n%fake\n"


@pytest.fixture
def issued(demo, monkeypatch, alliance_staff, officer_hong_dan, officer_dong_hai):
    monkeypatch.setattr(official, "render_html_pdf", lambda html, pdf_variant=None: FAKE_PDF)
    docs = {}
    for key, officer in (("A", officer_hong_dan), ("B", officer_dong_hai)):
        draft = DocumentDraft(
            agency=officer.agency,
            kind="BC",
            subject=f"Báo cáo sổ {key}",
            body_html="<p>Nội dung</p>",
            issued_on=date(2024, 4, 2),
            signatory=officer.agency.signatories.filter(is_head=False).first(),
        )
        docs[key] = issue_committed(draft=draft, by=officer)
    return docs


def _file_url(doc, inline=False):
    return reverse("official:issued_file", args=[doc.pk]) + ("?xem=1" if inline else "")


@pytest.mark.parametrize(
    ("user", "case", "status"),
    [
        ("alliance_staff", "A", 200),
        ("alliance_staff", "B", 200),
        ("fund_officer", "A", 200),
        ("officer_hong_dan", "A", 200),
        ("officer_hong_dan", "B", 404),
        ("officer_dong_hai", "A", 404),
        ("editor", "A", 404),
    ],
)
def test_issued_file_follows_the_scope(client, issued, request, user, case, status):
    client.force_login(request.getfixturevalue(user))
    response = client.get(_file_url(issued[case]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == FAKE_PDF
        assert (
            "attachment" in response["Content-Disposition"] and "01-BC-UBND-2024.pdf" in response["Content-Disposition"]
        )


def test_issued_file_inline_and_anonymous(client, issued, officer_hong_dan):
    assert client.get(_file_url(issued["A"])).status_code == 302  # to the login page
    client.force_login(officer_hong_dan)
    response = client.get(_file_url(issued["A"], inline=True))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("inline")


def test_register_in_the_admin_is_read_only(client, issued, alliance_staff):
    client.force_login(alliance_staff)
    page = client.get(reverse("admin:portal_issueddocument_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    for doc in issued.values():
        assert doc.subject in text and _file_url(doc) in text
    assert "Xem" in text and "Tải về" in text
    doc = issued["A"]
    assert client.get(reverse("admin:portal_issueddocument_add")).status_code == 403
    assert client.get(reverse("admin:portal_issueddocument_delete", args=[doc.pk])).status_code == 403
    change = client.get(reverse("admin:portal_issueddocument_change", args=[doc.pk]))
    assert change.status_code == 200 and 'name="subject"' not in change.content.decode()
    client.post(reverse("admin:portal_issueddocument_changelist"), {
        "action": "delete_selected", "_selected_action": [doc.pk], "post": "yes",
    })  # fmt: skip
    assert IssuedDocument.objects.filter(pk=doc.pk).exists()
    assert client.get(reverse("admin:portal_registercounter_changelist")).status_code == 200
    counter = RegisterCounter.objects.get(agency=doc.agency, year=2024)
    assert client.get(reverse("admin:portal_registercounter_delete", args=[counter.pk])).status_code == 403


def test_register_search_by_number_and_filters(client, issued, alliance_staff):
    client.force_login(alliance_staff)
    url = reverse("admin:portal_issueddocument_changelist")
    found = client.get(url, {"q": "01/BC-UBND"}).content.decode()
    assert "Báo cáo sổ A" in found and "Báo cáo sổ B" in found
    only_a = client.get(url, {"agency__id__exact": issued["A"].agency_id, "year": 2024, "kind": "BC"})
    assert "Báo cáo sổ A" in only_a.content.decode() and "Báo cáo sổ B" not in only_a.content.decode()
    assert "Báo cáo sổ A" in client.get(url, {"q": "sổ A"}).content.decode()


def test_admin_queryset_of_an_agency_staff_member_is_its_agency(rf, issued, officer_hong_dan):
    from django.contrib import admin

    request = rf.get("/")
    request.user = officer_hong_dan
    model_admin = admin.site._registry[IssuedDocument]
    assert list(model_admin.get_queryset(request)) == [issued["A"]]


def test_agency_admin_shows_the_form_fields_and_signatories(client, demo, alliance_staff):
    client.force_login(alliance_staff)
    agency = Agency.objects.get(name="Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu")
    text = client.get(reverse("admin:portal_agency_change", args=[agency.pk])).content.decode()
    for field in ("governing_body", "letterhead_name", "doc_code", "place_name", "collective_name", "head_title"):
        assert f'name="{field}"' in text
    assert "signatories-TOTAL_FORMS" in text
    assert all(s.full_name in text for s in Signatory.objects.filter(agency=agency))


def test_demo_fills_every_agency_once(demo):
    from io import StringIO

    agencies = Agency.objects.all()
    assert all(a.doc_code and a.place_name for a in agencies)
    assert all(a.signatories.filter(is_head=True).count() == 1 for a in agencies)
    assert all(a.signatories.filter(is_head=False).count() == 1 for a in agencies)
    sở = Agency.objects.get(name="Sở Nông nghiệp và Phát triển nông thôn tỉnh Bạc Liêu")
    assert (sở.governing_body, sở.letterhead_name, sở.doc_code) == (
        "UBND tỉnh Bạc Liêu", "Sở Nông nghiệp và Phát triển nông thôn", "SNN",
    )  # fmt: skip
    hong_dan = Agency.objects.get(name="Ủy ban nhân dân Huyện Hồng Dân")
    assert (hong_dan.governing_body, hong_dan.place_name, hong_dan.collective_name, hong_dan.doc_code) == (
        "", "Hồng Dân", "Ủy ban nhân dân", "UBND",
    )  # fmt: skip
    before = Signatory.objects.count()
    demo.load(StringIO())
    assert Signatory.objects.count() == before
