"""Signed PDFs checked by portal.verify: the verdicts in Vietnamese, and no exception whatever the bytes."""

import io

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from portal import verify
from portal.models import TrustedRoot
from tests.properties import examples

from .signing_ca import append_page, make_ca, plain_pdf


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def signed(ca):
    return ca.sign(plain_pdf(), timestamp=True)


@pytest.fixture
def trusted(db, ca):
    return TrustedRoot.objects.create(name="CA thử nghiệm", certificate_pem=ca.root_pem, source="demo")


def _signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    field = PdfReader(io.BytesIO(pdf)).get_fields()["Signature1"]
    a, b, c, d = field["/V"]["/ByteRange"]
    return [(a, a + b), (c, c + d)]


def test_a_pdf_signed_under_a_trusted_root_is_valid_and_says_who_signed_when(trusted, signed):
    report = verify.verify_pdf(signed)
    assert report.verdict == "Hợp lệ"
    (sig,) = report.signatures
    assert (sig.signer, sig.organisation) == ("Nguyễn Văn An", "UBND Huyện Hồng Dân")
    assert sig.time_source == "Dấu thời gian" and len(sig.signed_at) == 16 and sig.signed_at[2] == "/"
    assert sig.integrity == "Nguyên vẹn" and sig.coverage.startswith("Toàn bộ tài liệu")
    assert sig.chain == "Đến chứng thư gốc tin cậy: CA thử nghiệm"
    assert sig.timestamp == "Có dấu thời gian hợp lệ" and sig.certificate == "Còn hiệu lực tại thời điểm ký"


def test_the_same_pdf_is_only_untrusted_when_its_root_is_not_trusted(db, signed):
    report = verify.verify_pdf(signed)
    assert report.state == verify.UNTRUSTED
    assert report.verdict == "Chữ ký hợp lệ nhưng chứng thư chưa được tin cậy"
    assert report.signatures[0].integrity == "Nguyên vẹn"


def test_an_inactive_root_is_not_trusted(trusted, signed):
    TrustedRoot.objects.filter(pk=trusted.pk).update(is_active=False)
    assert verify.verify_pdf(signed).state == verify.UNTRUSTED


def test_a_root_in_the_trust_folder_is_trusted(db, ca, signed, settings, tmp_path):
    (tmp_path / "root.crt").write_bytes(ca.root.public_bytes(serialization.Encoding.DER))
    (tmp_path / "broken.pem").write_text("not a certificate")
    settings.PORTAL_TRUST_ROOTS_DIR = str(tmp_path)
    report = verify.verify_pdf(signed)
    assert report.verdict == "Hợp lệ" and "CA thử nghiệm Cổng HTX" in report.signatures[0].chain


def test_one_byte_changed_inside_the_signed_range_makes_it_invalid(trusted, signed):
    start, end = _signed_ranges(signed)[0]
    stream = signed.index(b"stream", start)  # a byte of content, not of the file's structure
    changed = bytearray(signed)
    changed[stream - 3] ^= 0x01
    report = verify.verify_pdf(bytes(changed))
    assert report.verdict == "Không hợp lệ: tài liệu đã bị sửa sau khi ký"


def test_a_page_appended_after_signing_is_reported_as_a_change_after_signing(trusted, signed):
    report = verify.verify_pdf(append_page(signed))
    assert report.verdict == "Không hợp lệ: tài liệu đã bị sửa sau khi ký"
    (sig,) = report.signatures
    assert sig.integrity == "Nguyên vẹn"  # the signed revision itself is intact
    assert sig.coverage == "Có thay đổi sau khi ký: nội dung bị sửa hoặc thêm trang (không được phép)"


def test_a_second_signature_is_an_allowed_change_for_the_first(trusted, ca, signed):
    report = verify.verify_pdf(ca.sign(signed, field="Signature2"))
    assert report.verdict == "Hợp lệ" and len(report.signatures) == 2
    assert report.signatures[0].coverage.startswith("Có thay đổi sau khi ký: thêm chữ ký khác")


def test_an_unsigned_pdf_has_no_signature(db):
    assert verify.verify_pdf(plain_pdf()).verdict == "Không có chữ ký số"


def _encrypted(password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.encrypt(user_password=password, owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage" * 100, b"%PDF-1.7\n%%EOF", "truncated", "encrypted"],
    ids=["empty", "garbage", "header-only", "truncated", "encrypted"],
)
def test_a_file_that_cannot_be_read_gets_a_verdict_not_an_exception(db, signed, data):
    if data == "truncated":
        data = signed[: len(signed) // 2]
    elif data == "encrypted":
        data = _encrypted("mat-khau")
    report = verify.verify_pdf(data)
    assert report.verdict == "Không đọc được tệp" and report.note


def test_an_encrypted_pdf_with_an_empty_user_password_is_read(db):
    assert verify.verify_pdf(_encrypted("")).verdict == "Không có chữ ký số"


def test_a_pdf_with_many_signatures_has_only_the_first_ten_checked(trusted, ca):
    pdf = plain_pdf()
    for n in range(12):
        pdf = ca.sign(pdf, field=f"Sig{n}")
    report = verify.verify_pdf(pdf)
    assert len(report.signatures) == verify.MAX_SIGNATURES
    assert report.note == "Tệp có 12 chữ ký; chỉ kiểm tra 10 chữ ký đầu tiên."


def test_the_report_survives_its_json_round_trip(trusted, signed):
    report = verify.verify_pdf(append_page(signed))
    again = verify.VerificationReport.from_json(report.as_json())
    assert again == report and again.verdict == report.verdict


@settings(max_examples=examples(15))
@given(data=st.data())
def test_mutated_bytes_never_raise_and_a_change_in_the_signed_range_is_never_valid(trusted, signed, data):
    ranges = _signed_ranges(signed)
    changed = bytearray(signed)
    # Anywhere in the file, or (more often) inside the signed bytes, where a change must never pass as valid.
    anywhere = st.integers(0, len(signed) - 1)
    signed_byte = st.sampled_from(ranges).flatmap(lambda r: st.integers(r[0], r[1] - 1))
    position = st.one_of(anywhere, signed_byte, signed_byte)
    positions = data.draw(st.lists(position, min_size=1, max_size=4), label="positions")
    for position in positions:
        changed[position] = data.draw(st.integers(0, 255).filter(lambda b, p=position: b != signed[p]))
    report = verify.verify_pdf(bytes(changed))
    assert report.verdict  # a verdict, never an exception
    if any(start <= p < end for p in positions for start, end in ranges):
        assert report.state != verify.VALID
