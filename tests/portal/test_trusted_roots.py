"""Staff upload the trusted root certificates in the admin: DER or PEM, a CA certificate only, Vietnamese errors."""

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import TrustedRoot

from .signing_ca import make_ca


@pytest.fixture(scope="module")
def ca():
    return make_ca()


def _uploaded():
    """The roots staff added (the demo's own CA root, source "demo", is there from the start)."""
    return TrustedRoot.objects.filter(source=TrustedRoot.Source.UPLOAD)


def _add(client, superuser, name, data, label=""):
    client.force_login(superuser)
    upload = SimpleUploadedFile(name, data)
    return client.post("/admin/portal/trustedroot/add/", {"name": label, "certificate_file": upload, "is_active": "on"})


@pytest.mark.parametrize("encoding", [serialization.Encoding.DER, serialization.Encoding.PEM])
def test_a_ca_certificate_is_added_from_a_der_or_pem_file_with_its_own_name(client, superuser, ca, encoding):
    response = _add(client, superuser, "root.cer", ca.root.public_bytes(encoding))
    assert response.status_code == 302
    root = _uploaded().get()
    assert root.name == "CA thử nghiệm Cổng HTX" and root.is_active and len(root.fingerprint) == 64
    assert root.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    page = client.get(f"/admin/portal/trustedroot/{root.pk}/change/").content.decode()
    assert "CN=CA thử nghiệm Cổng HTX" in page


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ca: ca.signer_cert.public_bytes(serialization.Encoding.PEM), "không phải chứng thư của tổ chức"),
        (lambda ca: b"khong phai chung thu", "Tệp không phải chứng thư số"),
        (lambda ca: ca.root.public_bytes(serialization.Encoding.PEM) * 2, "nhiều chứng thư"),
    ],
    ids=["not-a-ca", "garbage", "two"],
)
def test_a_file_that_is_not_one_ca_certificate_is_refused_in_vietnamese(client, superuser, ca, make, message):
    response = _add(client, superuser, "x.pem", make(ca))
    assert response.status_code == 200 and message in response.content.decode()
    assert not _uploaded().exists()


def test_the_same_root_twice_is_refused(client, superuser, ca):
    _add(client, superuser, "a.pem", ca.root.public_bytes(serialization.Encoding.PEM))
    response = _add(client, superuser, "b.cer", ca.root.public_bytes(serialization.Encoding.DER))
    assert "Chứng thư gốc này đã có trong danh sách." in response.content.decode()
    assert _uploaded().count() == 1
