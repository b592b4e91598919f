"""The demo's own certificate authority, so signing works on a fresh machine: a root that the portal trusts
(TrustedRoot, source "demo") and one signing certificate per demo agency that issues documents, stored in the
keystore as an officer would upload it (PKCS#12 under DEMO_PASSPHRASE, wrapped with Fernet).

Not a real CA and never trusted outside the demo: its name says so on every certificate it issues. Idempotent: a
second run adds certificates only for agencies without an active one. The root's key lives only for the run that
issues: a later run that finds an agency without a certificate makes a new root, trusted beside the first, so no
CA key is ever stored.
"""

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.utils import timezone

from . import keystore
from .models import Agency, SigningCertificate, TrustedRoot
from .signing import certificate_store

ROOT_NAME = "Cổng HTX – CA thử nghiệm (không dùng thật)"
# Printed with the demo logins; the officer types it in "Mật khẩu chứng thư số" to sign.
DEMO_PASSPHRASE = "demo-KY-2022"
ROOT_YEARS = 10
LEAF_DAYS = 2 * 365
# RSA rather than EC: pyHanko marks a PDF signed with an EC key as PDF 2.0 (ISO/TS 32002), which a PDF/A-2 file
# must not be; and Vietnam's public CAs issue RSA keys.
KEY_SIZE = 2048
# Bodies that issue documents: every People's Committee, department, the alliance and the fund.
SIGNING_KINDS = [k for k in Agency.Kind.values if k != Agency.Kind.OTHER]


def _fit(*candidates: str) -> str:
    """The first candidate that fits X.520's 64-byte bound on a name part (the long names of some departments do
    not: their short name stands in)."""
    return next((c for c in candidates if c and len(c.encode()) <= 64), candidates[-1][:21])


def _name(cn: str, o: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if o:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(parts)


def _encryption(passphrase: bytes):
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )


def _certificate(subject, issuer, public_key, signing_key, *, start, days, ca: bool, issuer_cert=None, eku=None):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


_keys: list = []


def _key(index: int):
    """The `index`-th RSA key this process made. An RSA key takes a quarter of a second to make; a process that loads
    the demo again (the test suite, after each flush) reuses the keys it made, under new certificates."""
    while len(_keys) <= index:
        _keys.append(rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE))
    return _keys[index]


def _new_root(now: datetime, key=None):
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = _name(ROOT_NAME, "Cổng HTX (thử nghiệm)")
    cert = _certificate(
        name, name, key.public_key(), key, start=now - timedelta(days=1), days=ROOT_YEARS * 365, ca=True
    )
    return key, cert


def root(now: datetime | None = None):
    """(key, certificate) of a new demo root, trusted (TrustedRoot, source "demo") from now on."""
    key, cert = _new_root(now or timezone.now(), key=_key(0))
    TrustedRoot.objects.create(
        name=ROOT_NAME,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        fingerprint=keystore.fingerprint(cert),
        source=TrustedRoot.Source.DEMO,
    )
    return key, cert


def issue(cn: str, o: str, *, ca_key, ca_cert, start: datetime, days: int = LEAF_DAYS, eku=None, key=None):
    """(key, certificate) of a new end-entity certificate under the given CA (a new RSA key unless given)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    cert = _certificate(
        _name(cn, o),
        ca_cert.subject,
        key.public_key(),
        ca_key,
        start=start,
        days=days,
        ca=False,
        issuer_cert=ca_cert,
        eku=eku,
    )
    return key, cert


def agency_pkcs12(
    agency: Agency, *, ca_key, ca_cert, passphrase: str = DEMO_PASSPHRASE, start=None, days=LEAF_DAYS, key=None
):
    """A PKCS#12 file for `agency` as a CA would hand it over: its key, its certificate and the chain."""
    start = start or timezone.now() - timedelta(hours=1)
    province = agency.unit
    while province.parent_id:
        province = province.parent
    cn, o = _fit(agency.name, agency.short_name), _fit(agency.governing_body, province.name)
    key, cert = issue(cn, o, ca_key=ca_key, ca_cert=ca_cert, start=start, days=days, key=key)
    return pkcs12.serialize_key_and_certificates(
        agency.name.encode(), key, cert, [ca_cert], _encryption(passphrase.encode())
    )


# What this process already made and stored: the root (key, certificate) and each agency's PKCS#12 with the columns
# read from it. Loading the demo again (the test suite does after every flush) stores the same files again instead
# of making and checking 19 new ones (about 2 s). Nothing secret leaves the process: these are the demo's own keys.
_made: dict = {"root": None, "files": {}}

CERTIFICATE_FIELDS = ("subject_cn", "subject_o", "serial", "issuer", "not_before", "not_after", "fingerprint")
LABEL = "Chứng thư số thử nghiệm (CA demo)"


def _identity(agency: Agency) -> tuple:
    return (agency.name, agency.short_name, agency.governing_body, agency.unit_id)


def _store_again(missing: list[Agency], now: datetime) -> bool:
    """Store the files this process made before for `missing`, under the root it made; False when it cannot (one of
    them was never made here, the root or a certificate runs out within a day, or a file is still in the table)."""
    made = _made["root"]
    files = [_made["files"].get(_identity(agency)) for agency in missing]
    if made is None or None in files:
        return False
    soon = now + timedelta(days=1)
    if made[1].not_valid_after_utc < soon or any(fields["not_after"] < soon for _, fields in files):
        return False
    if SigningCertificate.objects.filter(fingerprint__in=[fields["fingerprint"] for _, fields in files]).exists():
        return False
    pem = made[1].public_bytes(serialization.Encoding.PEM).decode()
    if not TrustedRoot.objects.filter(fingerprint=keystore.fingerprint(made[1])).exists():
        TrustedRoot.objects.create(name=ROOT_NAME, certificate_pem=pem, source=TrustedRoot.Source.DEMO)
    for agency, (data, fields) in zip(missing, files, strict=True):
        SigningCertificate.objects.filter(agency=agency, is_active=True).update(is_active=False)
        SigningCertificate.objects.create(agency=agency, label=LABEL, pkcs12_encrypted=keystore.wrap(data), **fields)
    return True


def load(out=None) -> int:
    """A certificate for every active issuing agency that has no active one; the number made."""
    now = timezone.now()
    missing = list(
        Agency.objects.filter(is_active=True, kind__in=SIGNING_KINDS)
        .exclude(signing_certificates__is_active=True)
        .select_related("unit__parent__parent")
        .order_by("pk")
    )
    if missing and not _store_again(missing, now):
        ca_key, ca_cert = root(now)
        _made["root"], _made["files"] = (ca_key, ca_cert), {}
        for index, agency in enumerate(missing, start=1):
            data = agency_pkcs12(agency, ca_key=ca_key, ca_cert=ca_cert, key=_key(index))
            stored = certificate_store(agency=agency, data=data, passphrase=DEMO_PASSPHRASE, label=LABEL)
            _made["files"][_identity(agency)] = (data, {f: getattr(stored, f) for f in CERTIFICATE_FIELDS})
    if out is not None:
        out.write(f"Chứng thư số thử nghiệm: {len(missing)} cơ quan mới, gốc tin cậy: {ROOT_NAME}")
    return len(missing)
