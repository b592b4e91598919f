"""X.509 certificates read from what people upload (.cer, .crt, .pem; DER or PEM), with Vietnamese errors."""

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID


class CertificateError(ValueError):
    """A file that is not a usable certificate; the message is shown to staff."""


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in `data`: one DER certificate, or one or more PEM blocks."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def read_ca_certificate(data: bytes) -> x509.Certificate:
    """The one CA certificate in an uploaded file; CertificateError says in Vietnamese what is wrong."""
    try:
        certificates = load_certificates(data)
    except ValueError:
        raise CertificateError(
            "Tệp không phải chứng thư số (cần tệp .cer, .crt hoặc .pem dạng DER hoặc PEM)."
        ) from None
    if len(certificates) != 1:
        raise CertificateError("Tệp chứa nhiều chứng thư; hãy tải lên từng chứng thư gốc một.")
    certificate = certificates[0]
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    except ValueError:
        raise CertificateError("Chứng thư có phần mở rộng không đọc được.") from None
    if constraints is None or not constraints.ca:
        raise CertificateError("Đây không phải chứng thư của tổ chức cung cấp dịch vụ chứng thực (CA).")
    return certificate


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER encoding, in lower-case hex (64 characters)."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def name_part(name: x509.Name, oid) -> str:
    values = [attribute.value for attribute in name.get_attributes_for_oid(oid)]
    return ", ".join(str(value) for value in values)


def common_name(certificate: x509.Certificate) -> str:
    return name_part(certificate.subject, NameOID.COMMON_NAME) or certificate.subject.rfc4514_string()
