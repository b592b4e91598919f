"""A small certificate authority for tests: a root, a signer certificate under it and a timestamping authority, built
with `cryptography` and used through pyHanko, so signed PDFs can be made on any machine."""

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfWriter


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _cert(subject, issuer, key, issuer_key, *, ca: bool, eku=None, days=3650, start=None):
    start = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


@dataclass
class TestCA:
    root: x509.Certificate
    root_key: object
    signer_cert: x509.Certificate
    signer_key: object
    tsa_cert: x509.Certificate
    tsa_key: object

    @property
    def root_pem(self) -> str:
        return self.root.public_bytes(serialization.Encoding.PEM).decode()

    def signer(self) -> signers.SimpleSigner:
        return signers.SimpleSigner(
            signing_cert=_asn1_cert(self.signer_cert),
            signing_key=_asn1_key(self.signer_key),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(self.root)]),
        )

    def timestamper(self) -> DummyTimeStamper:
        return DummyTimeStamper(
            tsa_cert=_asn1_cert(self.tsa_cert),
            tsa_key=_asn1_key(self.tsa_key),
            certs_to_embed=SimpleCertificateStore.from_certs([_asn1_cert(self.root)]),
        )

    def sign(self, pdf: bytes, *, field="Signature1", timestamp=False) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(field_name=field)
        out = signers.PdfSigner(meta, signer=self.signer(), timestamper=self.timestamper() if timestamp else None)
        return out.sign_pdf(writer).getvalue()


def make_ca(root_cn="CA thử nghiệm Cổng HTX", signer_cn="Nguyễn Văn An", org="UBND Huyện Hồng Dân") -> TestCA:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(root_cn, "Cổng HTX thử nghiệm")
    root = _cert(root_name, root_name, root_key, root_key, ca=True)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = _cert(_name(signer_cn, org), root_name, signer_key, root_key, ca=False, days=730)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA signs with RSA
    tsa_cert = _cert(
        _name("Dịch vụ cấp dấu thời gian thử nghiệm", "Cổng HTX thử nghiệm"),
        root_name,
        tsa_key,
        root_key,
        ca=False,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )
    return TestCA(root, root_key, signer_cert, signer_key, tsa_cert, tsa_key)


def plain_pdf(pages: int = 1) -> bytes:
    """An unsigned one-page PDF."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def append_page(pdf: bytes) -> bytes:
    """An incremental update that adds a page after the signatures (the signed bytes stay as they were)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(list(map(generic.NumberObject, (0, 0, 595, 842)))),
        }
    )
    writer.insert_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
