"""The agencies' signing keys at rest: PKCS#12 files wrapped with Fernet, opened only with the typed passphrase.

Two locks on each key: the PKCS#12 file is encrypted by its own passphrase (which the portal never stores: the
officer types it each time they sign), and the whole file is encrypted again with Fernet (AES-128-CBC + HMAC-SHA256,
`cryptography`) under the keystore key, so neither a copy of the database nor the passphrase alone opens a key.

The keystore key is settings.PORTAL_KEYSTORE_KEY (env var of the same name: one or more Fernet keys separated by
commas, the first encrypts, all decrypt, so a key can be rotated); when it is unset, a key derived from SECRET_KEY
with HKDF-SHA256, so a newcomer's machine works and a changed SECRET_KEY makes the stored keys unreadable (docs/
security.md). Nothing here logs, and no error message carries a passphrase.
"""

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from .models import SigningCertificate

WRONG_PASSPHRASE = "Mật khẩu chứng thư số không đúng."
NOT_PKCS12 = "Tệp không phải chứng thư số PKCS#12 (.p12, .pfx) hoặc mật khẩu không đúng."
KEYSTORE_UNREADABLE = (
    "Không giải mã được kho khóa: khóa PORTAL_KEYSTORE_KEY (hoặc SECRET_KEY) đã đổi. Hãy tải chứng thư số lên lại."
)
SIGNING_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)


class KeystoreError(ValueError):
    """A key that cannot be opened; the message is Vietnamese and names no secret."""


def derived_key() -> str:
    """The Fernet key used when PORTAL_KEYSTORE_KEY is unset: HKDF-SHA256 of SECRET_KEY."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cong-htx", info=b"portal.keystore").derive(
        settings.SECRET_KEY.encode()
    )
    return base64.urlsafe_b64encode(derived).decode()


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in (settings.PORTAL_KEYSTORE_KEY or "").split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in configured or [derived_key()]])


def wrap(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def unwrap(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken:
        raise KeystoreError(KEYSTORE_UNREADABLE) from None


@dataclass
class CertificateInfo:
    """What the list shows of a certificate, read from the PKCS#12 on upload."""

    subject_cn: str
    subject_o: str
    serial: str
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint: str

    def as_fields(self) -> dict:
        return dict(self.__dict__)


def _name_part(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject_cn=_name_part(cert.subject, NameOID.COMMON_NAME),
        subject_o=_name_part(cert.subject, NameOID.ORGANIZATION_NAME),
        serial=format(cert.serial_number, "X"),
        issuer=_name_part(cert.issuer, NameOID.COMMON_NAME) or cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint=fingerprint(cert),
    )


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex().upper()


def pem_fingerprint(pem: str) -> str:
    return fingerprint(x509.load_pem_x509_certificate(pem.encode()))


@sensitive_variables()
def open_pkcs12(data: bytes, passphrase: str):
    """(key, certificate, other certificates) of a PKCS#12 file; KeystoreError when the passphrase is wrong or the
    file is not PKCS#12 (the two cannot be told apart: the file's integrity check is keyed by the passphrase)."""
    try:
        return pkcs12.load_key_and_certificates(bytes(data), passphrase.encode() if passphrase else None)
    except (ValueError, TypeError):
        raise KeystoreError(WRONG_PASSPHRASE) from None


@sensitive_variables()
def check_pkcs12(data: bytes, passphrase: str, *, now: datetime | None = None) -> CertificateInfo:
    """Check an uploaded PKCS#12 as the admin's form does: it opens with `passphrase`, carries a signing key and its
    certificate, and the certificate is valid now. Raises ValidationError with a Vietnamese message."""
    try:
        key, cert, _ = open_pkcs12(data, passphrase)
    except KeystoreError:
        raise ValidationError(NOT_PKCS12, code="pkcs12") from None
    if key is None or not isinstance(key, SIGNING_KEYS):
        raise ValidationError("Tệp chứng thư số không chứa khóa bí mật dùng để ký.", code="no_key")
    if cert is None:
        raise ValidationError("Tệp chứng thư số không chứa chứng thư của người ký.", code="no_certificate")
    info = certificate_info(cert)
    now = now or timezone.now()
    if info.not_after < now:
        raise ValidationError(
            "Chứng thư số đã hết hạn ngày %(day)s.", code="expired", params={"day": f"{info.not_after:%d/%m/%Y}"}
        )
    if info.not_before > now:
        raise ValidationError(
            "Chứng thư số chưa có hiệu lực (từ ngày %(day)s).",
            code="not_yet_valid",
            params={"day": f"{info.not_before:%d/%m/%Y}"},
        )
    return info


def rewrap_all() -> int:
    """Wrap every stored PKCS#12 again under the first PORTAL_KEYSTORE_KEY (after a key rotation); the count."""
    rewrapped = 0
    for cert in SigningCertificate.objects.only("pk", "pkcs12_encrypted"):
        cert.pkcs12_encrypted = _fernet().rotate(bytes(cert.pkcs12_encrypted))
        cert.save(update_fields=["pkcs12_encrypted"])
        rewrapped += 1
    return rewrapped
