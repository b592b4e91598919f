"""Digital signatures on issued documents (portal.signing, portal.keystore, portal.democa): PAdES with pyHanko
that validates against the demo root, breaks on one changed byte, carries a trusted timestamp when a TSA is
configured; who may sign; the passphrase kept out of the database, the logs and the error reports."""

import asyncio
import logging
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO, StringIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from django.views.debug import ExceptionReporter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal import democa, keystore, signing
from portal.models import Agency, IssuedDocument, SecurityEvent, Signatory, SigningCertificate, TrustedRoot
from portal.official import DocumentDraft
from portal.roles import AGENCY_OFFICER, ALLIANCE_STAFF, EDITOR, FUND_OFFICER
from portal.signing_views import issued_sign
from tests.portal.official_samples import issue_committed

PASS = democa.DEMO_PASSPHRASE
WRONG = "sai-mat-khau-9431"


def _der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _issue(agency: Agency, by, *, title="Phó Chủ tịch", name="Nguyễn Văn Ánh") -> IssuedDocument:
    agency.governing_body = agency.governing_body or "UBND TỈNH BẠC LIÊU"
    agency.doc_code = agency.doc_code or "UBND"
    agency.place_name = agency.place_name or "Hồng Dân"
    agency.collective_name = "Ủy ban nhân dân" if agency.is_area_committee else ""
    agency.save()
    signatory = Signatory.objects.create(agency=agency, full_name=name, title=title, is_head=False)
    draft = DocumentDraft(
        agency=agency,
        kind="BC",
        subject="Kết quả phát triển kinh tế tập thể năm 2022",
        body_html="<p>Năm 2022, toàn huyện có thêm 4 hợp tác xã thành lập mới.</p>",
        recipients=["Liên minh HTX tỉnh", "Lưu: VT"],
        signatory=signatory,
    )
    return issue_committed(draft=draft, by=by)


@pytest.fixture
def hong_dan_doc(officer_hong_dan):
    return _issue(officer_hong_dan.agency, officer_hong_dan)


def _signed_bytes(doc: IssuedDocument) -> bytes:
    doc.refresh_from_db()
    with doc.signed_pdf.open("rb") as stored:
        return stored.read()


def _validate(data: bytes, extra_roots=()):
    roots = [
        _der(x509.load_pem_x509_certificate(r.certificate_pem.encode()))
        for r in TrustedRoot.objects.filter(is_active=True)
    ]
    context = ValidationContext(trust_roots=roots + [_der(c) for c in extra_roots], allow_fetching=False)
    (embedded,) = PdfFileReader(BytesIO(data)).embedded_signatures
    return validate_pdf_signature(embedded, context, ts_validation_context=context)


# --- the signature ---------------------------------------------------------------------------------------------


def test_a_signed_document_validates_against_the_demo_root_as_the_agencys(hong_dan_doc, officer_hong_dan):
    original = hong_dan_doc.pdf.read()
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    data = _signed_bytes(hong_dan_doc)
    status = _validate(data)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == officer_hong_dan.agency.name
    assert status.coverage.name == "ENTIRE_FILE" and status.timestamp_validity is None  # B-B without a TSA
    assert data.startswith(original)  # an incremental update: the issued PDF/A's bytes are kept as they were
    assert hong_dan_doc.signed_by == officer_hong_dan and hong_dan_doc.signed_at is not None
    assert hong_dan_doc.current_file == hong_dan_doc.signed_pdf


def test_signing_a_document_the_worker_has_not_rendered_yet_renders_it_first(officer_hong_dan):
    """The officer signs right after issuing, before the worker wrote the PDF: the signing renders it and signs."""
    from portal.official import document_issue

    agency = officer_hong_dan.agency
    draft = DocumentDraft(
        agency=agency,
        kind="BC",
        subject="Báo cáo ký ngay",
        body_html="<p>Nội dung</p>",
        issued_on=date(2024, 5, 2),
        signatory=Signatory.objects.filter(agency=agency, is_head=False).first(),
    )
    doc = document_issue(draft=draft, by=officer_hong_dan)  # its commit callback (the worker's render) never runs
    assert not doc.pdf
    signing.document_sign(document=doc, passphrase=PASS, by=officer_hong_dan)
    doc.refresh_from_db()
    assert doc.pdf and _validate(_signed_bytes(doc)).bottom_line


def test_one_changed_byte_inside_the_signed_range_breaks_the_signature(hong_dan_doc, officer_hong_dan):
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    data = _signed_bytes(hong_dan_doc)
    at = data.index(b"WeasyPrint")  # the producer, in the first signed range
    status = _validate(data[:at] + b"X" + data[at + 1 :])
    assert not status.intact and not status.bottom_line  # the digest of the signed bytes no longer matches


def test_another_root_does_not_make_the_signature_trusted(hong_dan_doc, officer_hong_dan):
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    TrustedRoot.objects.update(is_active=False)
    _, stranger = democa._new_root(timezone.now())
    status = _validate(_signed_bytes(hong_dan_doc), extra_roots=[stranger])
    assert status.intact and not status.trusted


def test_the_stamp_names_signer_body_and_time_in_an_embedded_font(hong_dan_doc, officer_hong_dan, tmp_path):
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    data = _signed_bytes(hong_dan_doc)
    reader = PdfFileReader(BytesIO(data))
    field = reader.embedded_signatures[0].sig_field
    appearance = field["/AP"]["/N"]
    texts = [
        t.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode("utf-16")
        for t in re.findall(r"/ActualText \((.*?)\)\n", appearance.data.decode("latin-1"))
    ]
    when = timezone.localtime(hong_dan_doc.signed_at)
    assert texts == [
        f"Ký bởi: {officer_hong_dan.agency.name}",
        f"Cơ quan: {SigningCertificate.objects.get(agency=hong_dan_doc.agency).subject_o}",
        f"Thời gian ký: {when:%d/%m/%Y %H:%M} (giờ Việt Nam)",
    ]
    (font,) = appearance["/Resources"]["/Font"].values()
    cid_font = font.get_object()["/DescendantFonts"][0].get_object()
    widths = [w for entry in cid_font["/W"] if isinstance(entry, list) for w in entry]
    assert 400 < max(widths) <= 1000  # thousandths of an em (the font's own 2048 units spread the letters out)
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert len(rows) == 5 and all(" yes yes yes " in row for row in rows), fonts  # embedded, subset, unicode


def test_the_stamp_sits_between_the_signers_title_and_name(hong_dan_doc, officer_hong_dan):
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    data = _signed_bytes(hong_dan_doc)
    page, (x0, y0, x1, y1) = signing._stamp_box(hong_dan_doc.pdf.read(), hong_dan_doc)
    rect = [float(v) for v in PdfFileReader(BytesIO(data)).embedded_signatures[0].sig_field["/Rect"]]
    assert rect == pytest.approx([x0, y0, x1, y1], abs=0.01)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    height = 841.89

    def edges(word):
        """(top, bottom) of the last `word` on the page, in PDF points from the bottom."""
        y_min, y_max = re.findall(rf'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{word}</word>', bbox)[-1]
        return height - float(y_min), height - float(y_max)

    assert edges("TỊCH")[1] > y1 and edges("Ánh")[0] < y0  # under the title (PHÓ CHỦ TỊCH), above the name


@pytest.fixture
def tsa():
    """A tiny RFC 3161 timestamp authority over HTTP (pyHanko's DummyTimeStamper), its root and its requests."""
    ca_key, ca_cert = democa._new_root(timezone.now())
    key, cert = democa.issue(
        "TSA thử nghiệm",
        "Cổng HTX",
        ca_key=ca_key,
        ca_cert=ca_cert,
        start=timezone.now() - timedelta(hours=1),
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),  # DummyTimeStamper signs with RSA only
    )
    stamper = DummyTimeStamper(
        tsa_cert=_der(cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["Content-Type"])
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", ca_cert, seen
    server.shutdown()
    server.server_close()


def test_with_a_timestamp_authority_the_signature_carries_a_trusted_timestamp(
    hong_dan_doc, officer_hong_dan, tsa, settings
):
    url, tsa_root, seen = tsa
    settings.PORTAL_TSA_URL = url
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    status = _validate(_signed_bytes(hong_dan_doc), extra_roots=[tsa_root])
    assert status.intact and status.trusted
    assert seen and set(seen) == {"application/timestamp-query"}  # pyHanko asks once more to size the signature
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted
    assert abs(ts.timestamp - hong_dan_doc.signed_at) < timedelta(minutes=1)


def test_a_timestamp_authority_that_does_not_answer_leaves_the_document_unsigned(
    hong_dan_doc, officer_hong_dan, settings
):
    settings.PORTAL_TSA_URL = "http://127.0.0.1:9/"  # discard: nothing listens
    settings.PORTAL_TSA_TIMEOUT = 2
    with pytest.raises(signing.SigningError, match="dấu thời gian"):
        signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    hong_dan_doc.refresh_from_db()
    assert not hong_dan_doc.signed_pdf and hong_dan_doc.signed_at is None


# --- refusals ----------------------------------------------------------------------------------------------------


def _stored_files(settings):
    return sorted(p for p in settings.PORTAL_PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file())


def test_a_wrong_passphrase_is_refused_and_changes_nothing(hong_dan_doc, officer_hong_dan, settings):
    files = _stored_files(settings)
    with pytest.raises(signing.SigningError, match="^Mật khẩu chứng thư số không đúng.$"):
        signing.document_sign(document=hong_dan_doc, passphrase=WRONG, by=officer_hong_dan)
    hong_dan_doc.refresh_from_db()
    assert not hong_dan_doc.signed_pdf and hong_dan_doc.signed_at is None and hong_dan_doc.signed_by is None
    assert _stored_files(settings) == files


def test_a_document_is_signed_once(hong_dan_doc, officer_hong_dan):
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    first = _signed_bytes(hong_dan_doc)
    with pytest.raises(signing.SigningError, match="đã được ký số lúc .*không ký lại được"):
        signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    assert _signed_bytes(hong_dan_doc) == first


def test_an_expired_or_missing_certificate_says_so(hong_dan_doc, officer_hong_dan):
    cert = SigningCertificate.objects.get(agency=hong_dan_doc.agency, is_active=True)
    SigningCertificate.objects.filter(pk=cert.pk).update(not_after=timezone.now() - timedelta(days=1))
    with pytest.raises(signing.SigningError, match="đã hết hạn ngày"):
        signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    SigningCertificate.objects.filter(pk=cert.pk).update(is_active=False)
    with pytest.raises(signing.SigningError, match="chưa có chứng thư số"):
        signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)


def test_a_keystore_key_that_changed_is_said_plainly(hong_dan_doc, officer_hong_dan, settings):
    settings.PORTAL_KEYSTORE_KEY = "k" * 43 + "="
    with pytest.raises(signing.SigningError, match="Không giải mã được kho khóa"):
        signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)


# --- who may sign ------------------------------------------------------------------------------------------------


def _post(client, user, doc, passphrase=PASS, next_url="/bao-cao/"):
    client.force_login(user)
    return client.post(f"/van-ban-di/{doc.pk}/ky-so/", {"passphrase": passphrase, "next": next_url})


def test_an_officer_signs_from_the_form_and_returns_to_the_page(client, hong_dan_doc, officer_hong_dan):
    response = _post(client, officer_hong_dan, hong_dan_doc)
    assert response.status_code == 302 and response["Location"] == "/bao-cao/"
    hong_dan_doc.refresh_from_db()
    assert hong_dan_doc.signed_by == officer_hong_dan
    followed = client.get("/bao-cao/")
    assert f"Đã ký số văn bản {hong_dan_doc.reference}." in followed.content.decode()


def test_a_next_to_another_site_returns_to_the_start_page(client, hong_dan_doc, officer_hong_dan):
    response = _post(client, officer_hong_dan, hong_dan_doc, next_url="https://evil.example/")
    assert response["Location"] == "/lam-viec/"


def test_an_officer_of_another_district_gets_404_and_alliance_staff_403(
    client, hong_dan_doc, officer_dong_hai, alliance_staff, editor, fund_officer
):
    assert _post(client, officer_dong_hai, hong_dan_doc).status_code == 404
    assert _post(client, alliance_staff, hong_dan_doc).status_code == 403
    assert _post(client, fund_officer, hong_dan_doc).status_code == 403
    assert _post(client, editor, hong_dan_doc).status_code == 404
    hong_dan_doc.refresh_from_db()
    assert not hong_dan_doc.signed_pdf


def test_anonymous_is_sent_to_log_in_and_get_is_refused(client, hong_dan_doc, officer_hong_dan):
    response = client.post(f"/van-ban-di/{hong_dan_doc.pk}/ky-so/", {"passphrase": PASS})
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    client.force_login(officer_hong_dan)
    assert client.get(f"/van-ban-di/{hong_dan_doc.pk}/ky-so/").status_code == 405


def test_alliance_staff_sign_the_alliances_documents(client, alliance_staff):
    doc = _issue(Agency.objects.get(kind=Agency.Kind.ALLIANCE), alliance_staff, title="Chủ tịch", name="Trần Văn B")
    assert _post(client, alliance_staff, doc).status_code == 302
    doc.refresh_from_db()
    assert _validate(_signed_bytes(doc)).trusted


def test_the_roles_that_may_sign_carry_the_permission(demo):
    from django.contrib.auth.models import Group

    holders = set(
        Group.objects.filter(
            permissions__codename="sign_issueddocument", permissions__content_type__app_label="portal"
        ).values_list("name", flat=True)
    )
    assert holders == {AGENCY_OFFICER, ALLIANCE_STAFF}
    assert not {FUND_OFFICER, EDITOR} & holders


def test_signing_attempts_are_limited_per_account(client, hong_dan_doc, officer_hong_dan, settings):
    settings.PORTAL_SIGN_ATTEMPTS = 3
    for _ in range(3):
        _post(client, officer_hong_dan, hong_dan_doc, passphrase=WRONG)
    response = _post(client, officer_hong_dan, hong_dan_doc)
    assert "thử ký số quá nhiều lần" in client.get(response["Location"]).content.decode()
    hong_dan_doc.refresh_from_db()
    assert not hong_dan_doc.signed_pdf


def test_a_wrong_passphrase_on_the_form_gives_the_message(client, hong_dan_doc, officer_hong_dan):
    response = _post(client, officer_hong_dan, hong_dan_doc, passphrase=WRONG)
    assert "Mật khẩu chứng thư số không đúng." in client.get(response["Location"]).content.decode()


# --- the include -------------------------------------------------------------------------------------------------


def _include(user, doc):
    request = RequestFactory().get("/bao-cao/1/")
    request.user = user
    return render_to_string("includes/issued_signature.html", {"doc": doc}, request=request)


def test_the_include_shows_the_form_to_who_may_sign_and_the_signature_once_signed(
    hong_dan_doc, officer_hong_dan, alliance_staff
):
    html = _include(officer_hong_dan, hong_dan_doc)
    assert "Mật khẩu chứng thư số" in html and ">Ký số</button>" in html and 'type="password"' in html
    assert f'action="/van-ban-di/{hong_dan_doc.pk}/ky-so/"' in html and 'value="/bao-cao/1/"' in html
    assert _include(alliance_staff, hong_dan_doc).strip() == ""
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    hong_dan_doc.refresh_from_db()
    when = timezone.localtime(hong_dan_doc.signed_at)
    expected = f"Đã ký số: {officer_hong_dan.get_full_name()}, lúc {when:%H:%M} ngày {when:%d/%m/%Y}"
    assert expected in _include(alliance_staff, hong_dan_doc)
    assert "Ký số</button>" not in _include(officer_hong_dan, hong_dan_doc)


# --- the passphrase is kept nowhere --------------------------------------------------------------------------------


def _database_text() -> str:
    """Every text column of every table, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            chunks.extend(str(value) for row in cursor.fetchall() for value in row if isinstance(value, str))
    return "\n".join(chunks)


def test_the_passphrase_appears_in_no_log_line_row_or_error_report(
    client, hong_dan_doc, officer_hong_dan, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    _post(client, officer_hong_dan, hong_dan_doc, passphrase=WRONG)
    _post(client, officer_hong_dan, hong_dan_doc, passphrase=PASS)
    hong_dan_doc.refresh_from_db()
    assert hong_dan_doc.signed_pdf
    doc2 = _issue(officer_hong_dan.agency, officer_hong_dan, name="Lê Thị C")

    def broken(*args, **kwargs):
        raise RuntimeError("pyHanko failed")

    monkeypatch.setattr(signing, "_sign_pdf", broken)
    request = RequestFactory().post(f"/van-ban-di/{doc2.pk}/ky-so/", {"passphrase": PASS, "next": "/"})
    request.user, request._dont_enforce_csrf_checks = officer_hong_dan, True
    try:
        issued_sign(request, pk=doc2.pk)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    else:
        pytest.fail("the broken signer did not raise")
    report = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "pyHanko failed" in report and "passphrase" in report  # the report is there, the value is not
    client.raise_request_exception = False
    page = _post(client, officer_hong_dan, doc2, passphrase=PASS)
    assert page.status_code == 500
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    for secret in (PASS, WRONG):
        assert secret not in report
        assert secret not in logged
        assert secret not in page.content.decode()
        assert secret not in _database_text()
    assert not LogEntry.objects.filter(change_message__contains=PASS).exists()
    assert not SecurityEvent.objects.filter(path__contains=PASS).exists()


def test_the_stored_key_is_not_the_pkcs12_in_clear(demo):
    agency = Agency.objects.get(kind=Agency.Kind.FUND)
    ca_key, ca_cert = democa._new_root(timezone.now())
    data = democa.agency_pkcs12(agency, ca_key=ca_key, ca_cert=ca_cert, passphrase="mot-hai-ba")
    stored = signing.certificate_store(agency=agency, data=data, passphrase="mot-hai-ba", label="Mới")
    blob = bytes(SigningCertificate.objects.get(pk=stored.pk).pkcs12_encrypted)
    assert data not in blob and data[16:48] not in blob
    assert keystore.unwrap(blob) == data
    assert b"mot-hai-ba" not in blob
    assert SigningCertificate.objects.filter(agency=agency, is_active=True).get() == stored  # the old one retired


# --- the admin's upload ----------------------------------------------------------------------------------------


def _upload(client, superuser, data, passphrase, name="ubnd.p12"):
    client.force_login(superuser)
    agency = Agency.objects.get(kind=Agency.Kind.FUND)
    return client.post(
        "/admin/portal/signingcertificate/add/",
        {
            "agency": agency.pk,
            "label": "Chứng thư 2026",
            "file": SimpleUploadedFile(name, data, "application/x-pkcs12"),
            "passphrase": passphrase,
        },
    )


def test_the_admin_keeps_an_uploaded_certificate_and_forgets_the_passphrase(client, superuser):
    agency = Agency.objects.get(kind=Agency.Kind.FUND)
    ca_key, ca_cert = democa._new_root(timezone.now())
    data = democa.agency_pkcs12(agency, ca_key=ca_key, ca_cert=ca_cert, passphrase="Quy-2026!")
    response = _upload(client, superuser, data, "Quy-2026!")
    assert response.status_code == 302, response.content.decode()[:2000]
    cert = SigningCertificate.objects.get(agency=agency, is_active=True)
    assert cert.label == "Chứng thư 2026" and cert.uploaded_by == superuser and cert.issuer == democa.ROOT_NAME
    assert "Quy-2026!" not in _database_text()
    listing = client.get("/admin/portal/signingcertificate/").content.decode()
    assert cert.fingerprint in listing
    change = client.get(f"/admin/portal/signingcertificate/{cert.pk}/change/").content.decode()
    assert "pkcs12" not in change.lower() or 'name="pkcs12' not in change


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong", "Tệp không phải chứng thư số PKCS#12 (.p12, .pfx) hoặc mật khẩu không đúng."),
        ("expired", "Chứng thư số đã hết hạn ngày"),
        ("pdf", "không đúng định dạng cho phép (chứng thư số .p12 hoặc .pfx)"),
    ],
)
def test_the_admin_refuses_a_wrong_passphrase_an_expired_certificate_and_a_pdf(client, superuser, case, message):
    agency = Agency.objects.get(kind=Agency.Kind.FUND)
    ca_key, ca_cert = democa._new_root(timezone.now())
    start = timezone.now() - timedelta(days=800) if case == "expired" else None
    data = democa.agency_pkcs12(agency, ca_key=ca_key, ca_cert=ca_cert, passphrase="abc", start=start)
    if case == "pdf":
        data = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
    before = SigningCertificate.objects.count()
    response = _upload(client, superuser, data, "xyz" if case == "wrong" else "abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="abc"' not in html and 'value="xyz"' not in html  # the passphrase is not sent back
    assert SigningCertificate.objects.count() == before


# --- the demo CA ---------------------------------------------------------------------------------------------------


def test_the_demo_gives_every_issuing_agency_a_certificate_once(demo):
    issuing = Agency.objects.filter(is_active=True).exclude(kind=Agency.Kind.OTHER)
    assert set(SigningCertificate.objects.filter(is_active=True).values_list("agency", flat=True)) == set(
        issuing.values_list("pk", flat=True)
    )
    root = TrustedRoot.objects.get(source=TrustedRoot.Source.DEMO)
    assert root.name == "Cổng HTX – CA thử nghiệm (không dùng thật)"
    cert = SigningCertificate.objects.filter(is_active=True).first()
    assert cert.issuer == root.name and timedelta(days=729) < cert.not_after - cert.not_before < timedelta(days=731)
    out = StringIO()
    call_command("demo_ca", stdout=out)
    assert "0 cơ quan mới" in out.getvalue() and PASS in out.getvalue()
    assert TrustedRoot.objects.count() == 1 and SigningCertificate.objects.count() == issuing.count()
    new = Agency.objects.create(name="Sở Xây dựng tỉnh Bạc Liêu", kind=Agency.Kind.DEPARTMENT, unit=cert.agency.unit)
    call_command("demo_ca", stdout=out)
    assert SigningCertificate.objects.get(agency=new).is_active


def test_a_demo_certificate_signs_digitally_and_for_non_repudiation(demo):
    cert = SigningCertificate.objects.filter(is_active=True).first()
    _, leaf, chain = keystore.open_pkcs12(keystore.unwrap(cert.pkcs12_encrypted), PASS)
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert [c.subject for c in chain] == [
        x509.load_pem_x509_certificate(TrustedRoot.objects.get().certificate_pem.encode()).subject
    ]


def test_a_rotated_keystore_key_still_opens_the_keys_and_rewraps_them(hong_dan_doc, officer_hong_dan, settings):
    new_key = Fernet.generate_key().decode()
    settings.PORTAL_KEYSTORE_KEY = f"{new_key},{keystore.derived_key()}"  # the new key first, the old one after
    assert keystore.rewrap_all() == SigningCertificate.objects.count()
    settings.PORTAL_KEYSTORE_KEY = new_key
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    assert _validate(_signed_bytes(hong_dan_doc)).trusted


def test_the_signed_file_keeps_what_pdf_a_2b_asks_as_far_as_we_can_check(hong_dan_doc, officer_hong_dan):
    """No PDF/A validator ships with Debian; these are the properties the signature's update could break."""
    signing.document_sign(document=hong_dan_doc, passphrase=PASS, by=officer_hong_dan)
    data = _signed_bytes(hong_dan_doc)
    reader = PdfFileReader(BytesIO(data))
    catalog = reader.root
    assert data.startswith(b"%PDF-1.7") and "/Version" not in catalog  # PDF/A-2 is PDF 1.7: no 2.0 extension
    assert "/ISO_" not in catalog.get("/Extensions", {})
    assert catalog["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    xmp = catalog["/Metadata"].data.decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    widget = reader.embedded_signatures[0].sig_field
    assert int(widget["/F"]) & 4 and "/N" in widget["/AP"]  # printed, with its own appearance
    assert "/NeedAppearances" not in catalog["/AcroForm"]
    assert b"/JavaScript" not in data and b"/Encrypt" not in data


def test_pyhankos_own_event_loop_runs_even_where_one_is_running():
    async def caller():
        return signing._outside_event_loop(lambda: asyncio.run(asyncio.sleep(0, result="ký")))

    # The check runs in a thread of its own: the suite's browser (Playwright) may already run a loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: asyncio.run(caller())).result() == "ký"


def test_switching_an_old_certificate_on_in_the_admin_retires_the_current_one(client, superuser):
    agency = Agency.objects.get(kind=Agency.Kind.FUND)
    current = SigningCertificate.objects.get(agency=agency, is_active=True)
    ca_key, ca_cert = democa._new_root(timezone.now())
    data = democa.agency_pkcs12(agency, ca_key=ca_key, ca_cert=ca_cert, passphrase="abc")
    newer = signing.certificate_store(agency=agency, data=data, passphrase="abc", label="Mới")
    client.force_login(superuser)
    url = f"/admin/portal/signingcertificate/{current.pk}/change/"
    response = client.post(url, {"label": current.label, "is_active": "on"})
    assert response.status_code == 302
    assert SigningCertificate.objects.get(agency=agency, is_active=True) == current
    newer.refresh_from_db()
    assert not newer.is_active
