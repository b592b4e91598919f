"""Verification of the digital signatures (PAdES) in an uploaded PDF, told in Vietnamese.

pyHanko's validator does the work: integrity of each signature, the chain up to a trusted root (the active
`TrustedRoot` rows and the PEM files in PORTAL_TRUST_ROOTS_DIR, such as the national roots of the public CA system),
revocation checked soft-fail, no network unless PORTAL_VERIFY_FETCH, and the difference analysis of what was added
after signing. `verify_pdf` never raises: a file it cannot read gets the verdict "Không đọc được tệp".
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .certificates import common_name, fingerprint, load_certificates
from .models import TrustedRoot

log = logging.getLogger(__name__)

MAX_SIGNATURES = 10  # a file with more signatures has only its first ten checked (the work stays bounded)
LOCAL_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

VALID = "valid"
UNTRUSTED = "untrusted"
INVALID = "invalid"
UNSIGNED = "unsigned"
UNREADABLE = "unreadable"

VERDICTS = {
    VALID: "Hợp lệ",
    UNTRUSTED: "Chữ ký hợp lệ nhưng chứng thư chưa được tin cậy",
    INVALID: "Không hợp lệ: tài liệu đã bị sửa sau khi ký",
    UNSIGNED: "Không có chữ ký số",
    UNREADABLE: "Không đọc được tệp",
}
# Worst first: the document's verdict is that of its worst signature.
_SEVERITY = [INVALID, UNTRUSTED, VALID]

_LATER_CHANGES = {
    ModificationLevel.NONE: "Toàn bộ tài liệu (không có thay đổi sau khi ký)",
    ModificationLevel.LTA_UPDATES: "Có thay đổi sau khi ký: chỉ bổ sung dữ liệu kiểm tra chữ ký (được phép)",
    ModificationLevel.FORM_FILLING: "Có thay đổi sau khi ký: thêm chữ ký khác hoặc điền biểu mẫu (được phép)",
    ModificationLevel.ANNOTATIONS: "Có thay đổi sau khi ký: thêm ghi chú (được phép)",
    ModificationLevel.OTHER: "Có thay đổi sau khi ký: nội dung bị sửa hoặc thêm trang (không được phép)",
}


@dataclass
class SignatureResult:
    """What one signature says, in words for the page."""

    state: str
    field_name: str = ""
    signer: str = ""
    organisation: str = ""
    signed_at: str = ""  # dd/mm/yyyy hh:mm, Asia/Ho_Chi_Minh
    time_source: str = ""  # "Dấu thời gian" or "Thời điểm người ký khai báo"
    intact: bool = False
    integrity: str = ""
    coverage: str = ""
    changed_after_signing: bool = False
    trusted: bool = False
    chain: str = ""
    certificate: str = ""
    timestamp: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def modified(self) -> bool:
        return self.state == INVALID and (not self.intact or self.changed_after_signing)

    @property
    def verdict(self) -> str:
        if self.state == INVALID and not self.modified:
            return "Không hợp lệ"
        return VERDICTS[self.state]


@dataclass
class VerificationReport:
    """The verdict on a whole file and one result per checked signature; kept as JSON on the upload."""

    state: str
    signatures: list[SignatureResult] = field(default_factory=list)
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.state == INVALID and not any(s.modified for s in self.signatures):
            problems = [p for s in self.signatures for p in s.problems] or ["chữ ký không đúng"]
            return "Không hợp lệ: " + problems[0][0].lower() + problems[0][1:].rstrip(".")
        return VERDICTS[self.state]

    def as_json(self) -> dict:
        return {"state": self.state, "note": self.note, "signatures": [asdict(s) for s in self.signatures]}

    @classmethod
    def from_json(cls, data: dict) -> VerificationReport:
        names = set(SignatureResult.__dataclass_fields__)
        signatures = [
            SignatureResult(**{k: v for k, v in s.items() if k in names}) for s in data.get("signatures") or []
        ]
        return cls(state=data.get("state") or UNREADABLE, signatures=signatures, note=data.get("note") or "")


# --- trust roots -------------------------------------------------------------------------------------------------


@dataclass
class TrustRoots:
    certificates: list[asn1_x509.Certificate]
    names: dict[str, str]  # fingerprint -> the name shown


def trust_roots() -> TrustRoots:
    """The active TrustedRoot rows and every certificate in the PEM/DER files of PORTAL_TRUST_ROOTS_DIR."""
    found: list = []
    names: dict[str, str] = {}
    for row in TrustedRoot.objects.filter(is_active=True):
        for certificate in _certificates_in(row.certificate_pem.encode("ascii"), row.name):
            found.append(certificate)
            names[fingerprint(certificate)] = row.name
    folder = getattr(settings, "PORTAL_TRUST_ROOTS_DIR", "")
    if folder and Path(folder).is_dir():
        for path in sorted(Path(folder).iterdir()):
            if path.suffix.lower() in {".pem", ".crt", ".cer"} and path.is_file():
                for certificate in _certificates_in(path.read_bytes(), str(path)):
                    names.setdefault(fingerprint(certificate), common_name(certificate))
                    found.append(certificate)
    certificates = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in found]
    return TrustRoots(certificates, names)


def _certificates_in(data: bytes, where: str) -> list:
    try:
        return load_certificates(data)
    except ValueError:
        log.warning("Trust root %s is not a certificate; skipped", where)
        return []


# --- verification ------------------------------------------------------------------------------------------------


def verify_pdf(data: bytes, *, roots: TrustRoots | None = None) -> VerificationReport:
    """Check every signature of a PDF (at most MAX_SIGNATURES). Never raises."""
    try:
        roots = roots or trust_roots()
    except Exception:  # noqa: BLE001 - a broken trust store must not turn into a 500
        log.exception("Trust roots could not be read")
        roots = TrustRoots([], {})
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _verify(data, roots)
    # pyHanko runs its own event loop (asyncio.run), which cannot start inside a running one: use a thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_verify, data, roots).result()


def _verify(data: bytes, roots: TrustRoots) -> VerificationReport:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted and not _opens_without_password(reader):
            return VerificationReport(UNREADABLE, note="Tệp PDF được bảo vệ bằng mật khẩu nên không kiểm tra được.")
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - any unreadable file, whatever pyHanko's parser raises
        log.info("PDF not readable for signature checking", exc_info=True)
        return VerificationReport(UNREADABLE, note="Tệp không phải PDF hoặc đã bị hỏng.")
    if not embedded:
        return VerificationReport(UNSIGNED)
    note = ""
    if len(embedded) > MAX_SIGNATURES:
        note = f"Tệp có {len(embedded)} chữ ký; chỉ kiểm tra {MAX_SIGNATURES} chữ ký đầu tiên."
        embedded = embedded[:MAX_SIGNATURES]
    results = [_check_signature(signature, roots) for signature in embedded]
    state = next(s for s in _SEVERITY if any(r.state == s for r in results) or s == VALID)
    return VerificationReport(state, results, note)


def _opens_without_password(reader: PdfFileReader) -> bool:
    try:
        return reader.decrypt("").status != AuthStatus.FAILED
    except Exception:  # noqa: BLE001 - an unsupported security handler (a certificate-encrypted file)
        return False


def _validation_context(roots: TrustRoots) -> ValidationContext:
    return ValidationContext(
        trust_roots=roots.certificates,
        allow_fetching=bool(getattr(settings, "PORTAL_VERIFY_FETCH", False)),
        revocation_mode="soft-fail",
    )


def _check_signature(embedded, roots: TrustRoots) -> SignatureResult:
    result = SignatureResult(state=INVALID, field_name=_safe(lambda: embedded.field_name) or "")
    try:
        status = validate_pdf_signature(embedded, _validation_context(roots), _validation_context(roots))
    except Exception:  # noqa: BLE001 - a broken signature is an invalid one
        log.info("Signature %s could not be validated", result.field_name, exc_info=True)
        result.integrity = "Không đọc được chữ ký"
        result.problems.append("Chữ ký bị hỏng hoặc không đúng định dạng.")
        return result
    _describe_signer(result, status)
    _describe_time(result, status)
    _describe_integrity(result, status)
    _describe_chain(result, status, roots)
    result.state = _state_of(result, status)
    return result


def _describe_signer(result: SignatureResult, status) -> None:
    subject = status.signing_cert.subject.native
    result.signer = str(subject.get("common_name") or "")
    result.organisation = str(subject.get("organization_name") or "")


def _describe_time(result: SignatureResult, status) -> None:
    stamp = status.timestamp_validity
    moment = None
    if stamp is None:
        result.timestamp = "Không có dấu thời gian"
    elif stamp.intact and stamp.valid:
        moment = stamp.timestamp
        result.time_source = "Dấu thời gian"
        result.timestamp = "Có dấu thời gian hợp lệ" + ("" if stamp.trusted else " (đơn vị cấp dấu chưa được tin cậy)")
    else:
        result.timestamp = "Dấu thời gian không hợp lệ"
        result.problems.append("Dấu thời gian không hợp lệ.")
    if moment is None and status.signer_reported_dt:
        moment = status.signer_reported_dt
        result.time_source = "Thời điểm người ký khai báo"
    if moment is not None:
        result.signed_at = moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")
        certificate = status.signing_cert
        valid_from, valid_to = certificate.not_valid_before, certificate.not_valid_after
        if valid_from <= moment <= valid_to:
            result.certificate = "Còn hiệu lực tại thời điểm ký"
        else:
            result.certificate = "Hết hiệu lực hoặc chưa có hiệu lực tại thời điểm ký"
            result.problems.append("Chứng thư của người ký không có hiệu lực tại thời điểm ký.")
    else:
        result.certificate = "Không xác định được thời điểm ký"


def _describe_integrity(result: SignatureResult, status) -> None:
    result.intact = bool(status.intact and status.valid)
    result.integrity = "Nguyên vẹn" if result.intact else "Đã bị sửa đổi sau khi ký"
    if not result.intact:
        result.problems.append("Nội dung được ký không còn khớp với chữ ký.")
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        result.coverage = _LATER_CHANGES[ModificationLevel.NONE]
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        level = status.modification_level
        result.coverage = _LATER_CHANGES.get(level, _LATER_CHANGES[ModificationLevel.OTHER])
        result.changed_after_signing = not status.docmdp_ok or level is None or level == ModificationLevel.OTHER
    else:
        result.coverage = "Chữ ký chỉ bao phủ một phần tệp"
        result.changed_after_signing = True
    if result.changed_after_signing:
        result.problems.append("Tài liệu đã bị sửa hoặc bổ sung nội dung sau khi ký.")


def _describe_chain(result: SignatureResult, status, roots: TrustRoots) -> None:
    result.trusted = bool(status.trusted)
    path = status.validation_path
    if result.trusted and path is not None:
        anchor = path.trust_anchor
        root_certificate = getattr(anchor, "certificate", None)
        name = ""
        if root_certificate is not None:
            name = roots.names.get(_asn1_fingerprint(root_certificate), "")
            name = name or str(root_certificate.subject.native.get("common_name") or "")
        result.chain = f"Đến chứng thư gốc tin cậy: {name}" if name else "Đến một chứng thư gốc tin cậy"
    elif status.revoked:
        result.chain = "Chứng thư đã bị thu hồi"
        result.problems.append("Chứng thư của người ký đã bị thu hồi.")
    else:
        result.chain = "Không đến được chứng thư gốc nào mà Cổng tin cậy"


def _state_of(result: SignatureResult, status) -> str:
    if not result.intact or result.changed_after_signing or status.revoked:
        return INVALID
    if result.certificate.startswith("Hết hiệu lực"):
        return INVALID
    stamp = status.timestamp_validity
    if stamp is not None and not (stamp.intact and stamp.valid):
        return INVALID
    if not result.trusted:
        return UNTRUSTED
    return VALID


def _asn1_fingerprint(certificate: asn1_x509.Certificate) -> str:
    return hashlib.sha256(certificate.dump()).hexdigest()


def _safe(getter):
    try:
        return getter()
    except Exception:  # noqa: BLE001
        return None
