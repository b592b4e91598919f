"""TOTP second factor: required for superusers, optional (then required) for staff, enrolled by QR code."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import SecurityEvent

from .conftest import totp_token

pytestmark = pytest.mark.security


def _password_login(client, username, settings):
    response = client.post("/dang-nhap/", {"username": username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _device(user, **kwargs):
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True, **kwargs)


def test_a_superuser_with_only_a_password_cannot_open_the_admin(client, superuser, settings, otp_required):
    _password_login(client, "quantri", settings)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/xac-minh/?next=%2Fadmin%2F"
    # Nor any other page that needs an account; public pages, logout and the second-factor pages stay open.
    assert client.get("/admin/portal/user/").status_code == 302
    assert client.get("/tai-khoan/xac-minh/").status_code == 302  # no device yet: to enrolment
    assert client.get("/tai-khoan/xac-thuc-hai-buoc/").status_code == 200


def test_a_superuser_enrols_by_qr_code_and_then_reaches_the_admin(client, superuser, settings, otp_required):
    _password_login(client, "quantri", settings)
    response = client.get("/tai-khoan/xac-thuc-hai-buoc/?next=/admin/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "<path" in html and "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Bật xác thực hai bước" in html
    key = client.session["portal.otp_pending_key"]

    wrong = client.post("/tai-khoan/xac-thuc-hai-buoc/", {"token": "12345", "next": "/admin/"})
    assert "Mã xác thực gồm đúng 6 chữ số" in wrong.content.decode()
    assert 'value="12345"' in wrong.content.decode()
    bad = "000000" if totp_token(key) != "000000" else "111111"
    assert "Mã xác thực không đúng" in client.post("/tai-khoan/xac-thuc-hai-buoc/", {"token": bad}).content.decode()
    assert not TOTPDevice.objects.filter(user=superuser).exists()

    session_before = client.session.session_key
    response = client.post("/tai-khoan/xac-thuc-hai-buoc/", {"token": totp_token(key), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session.session_key != session_before
    assert TOTPDevice.objects.get(user=superuser).confirmed
    assert client.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(kind="otp_enrolled", user=superuser).exists()


def test_the_next_login_asks_for_the_code_and_refuses_a_wrong_one(client, superuser, settings, otp_required):
    import time

    device = _device(superuser)
    _password_login(client, "quantri", settings)
    assert client.get("/admin/")["Location"].startswith("/tai-khoan/xac-minh/")
    page = client.get("/tai-khoan/xac-minh/?next=/admin/").content.decode()
    assert "Xác thực hai bước" in page and "6 chữ số" in page

    right = totp_token(device.key)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post("/tai-khoan/xac-minh/", {"token": wrong, "next": "/admin/"})
    assert "Mã xác thực không đúng hoặc đã hết hạn" in response.content.decode()
    assert SecurityEvent.objects.filter(kind="otp_failed", user=superuser).exists()
    assert client.get("/admin/").status_code == 302
    # django-otp throttles after a failure (1 s, then doubling): wait it out, then the right code works.
    time.sleep(1.1)
    response = client.post("/tai-khoan/xac-minh/", {"token": totp_token(device.key), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_used_code_cannot_be_replayed(client, superuser, settings, otp_required):
    device = _device(superuser)
    token = totp_token(device.key)
    _password_login(client, "quantri", settings)
    assert client.post("/tai-khoan/xac-minh/", {"token": token}).status_code == 302
    client.post("/dang-xuat/")
    _password_login(client, "quantri", settings)
    response = client.post("/tai-khoan/xac-minh/", {"token": token})
    assert response.status_code == 200 and "Mã xác thực không đúng" in response.content.decode()


def test_verification_never_redirects_to_another_site(client, superuser, settings, otp_required):
    device = _device(superuser)
    _password_login(client, "quantri", settings)
    response = client.post("/tai-khoan/xac-minh/", {"token": totp_token(device.key), "next": "https://evil.example"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_in_production_a_superuser_cannot_enrol_from_the_web(client, superuser, settings, otp_required):
    settings.PORTAL_OTP_SELF_ENROL_SUPERUSERS = False
    _password_login(client, "quantri", settings)
    response = client.get("/tai-khoan/xac-thuc-hai-buoc/")
    assert response.status_code == 403
    assert "người vận hành" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_staff_without_a_device_are_not_asked_and_staff_with_one_are(client, alliance_staff, editor, settings):
    _password_login(client, "lienminh", settings)
    assert client.get("/admin/").status_code == 200
    client.post("/dang-xuat/")
    _device(editor)
    _password_login(client, "bientap", settings)
    assert client.get("/admin/")["Location"].startswith("/tai-khoan/xac-minh/")


def test_a_stolen_password_cannot_replace_an_enrolled_device(client, editor, settings):
    _device(editor)
    _password_login(client, "bientap", settings)
    response = client.get("/tai-khoan/xac-thuc-hai-buoc/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/xac-minh/")


def test_officers_cannot_enrol(client, officer_hong_dan):
    client.force_login(officer_hong_dan)
    assert client.get("/tai-khoan/xac-thuc-hai-buoc/").status_code == 403


def test_the_operator_command_enrols_a_device_whose_codes_work(client, superuser, settings, otp_required):
    out = StringIO()
    call_command("enrol_totp", "quantri", "--no-qr", stdout=out)
    secret = re.search(r"Khóa bí mật[^:]*: ([A-Z2-7]+)", out.getvalue()).group(1)
    import base64

    key_hex = base64.b32decode(secret).hex()
    _password_login(client, "quantri", settings)
    assert client.post("/tai-khoan/xac-minh/", {"token": totp_token(key_hex)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="đã có thiết bị"):
        call_command("enrol_totp", "quantri", stdout=StringIO())


def test_pages_of_staff_without_a_device_make_no_extra_query_for_the_second_factor(
    client, alliance_staff, django_assert_num_queries
):
    """The gate reads the session only: session + user, as the page needed anyway."""
    client.force_login(alliance_staff)
    with django_assert_num_queries(2):  # the session row and the user row
        client.get("/dang-nhap/")


def test_opening_the_enrolment_page_saves_no_device(client, alliance_staff):
    client.force_login(alliance_staff)
    client.get("/tai-khoan/xac-thuc-hai-buoc/")
    client.get("/tai-khoan/xac-thuc-hai-buoc/")
    assert not TOTPDevice.objects.exists()
