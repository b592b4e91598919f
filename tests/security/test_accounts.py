"""Accounts: lock-out behind the proxy, password rules, session rotation and expiry, the security log."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from portal import security
from portal.models import SecurityEvent

pytestmark = pytest.mark.security

NGINX = "127.0.0.1"  # REMOTE_ADDR of every request nginx forwards


def _login(client, username, password, *, client_ip, forged=None):
    """A login POST as nginx forwards it: it appends the address it saw to whatever the client sent."""
    xff = f"{forged}, {client_ip}" if forged else client_ip
    return client.post(
        "/dang-nhap/",
        {"username": username, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=xff,
    )


def _fail(client, username, times, client_ip, forged=None):
    for _ in range(times):
        _login(client, username, "sai-mat-khau", client_ip=client_ip, forged=forged)


def test_five_wrong_passwords_lock_the_account_from_that_address_with_a_vietnamese_page(client, demo, settings):
    _fail(client, "hongdan", 5, "203.0.113.5")
    response = _login(client, "hongdan", settings.DEMO_PASSWORD, client_ip="203.0.113.5")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tạm khóa đăng nhập" in html and "15 phút" in html and "hongdan" in html
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind="locked_out", username="hongdan").exists()


def test_four_wrong_passwords_do_not_lock_and_a_success_resets_the_count(client, demo, settings):
    _fail(client, "hongdan", 4, "203.0.113.5")
    assert _login(client, "hongdan", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302
    client.logout()
    _fail(client, "hongdan", 4, "203.0.113.5")
    assert _login(client, "hongdan", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302


def test_a_forged_x_forwarded_for_does_not_reset_the_count(client, demo, settings):
    _fail(client, "hongdan", 3, "203.0.113.5")
    # The attacker now writes a different address each time; nginx still appends the real one.
    _fail(client, "hongdan", 2, "203.0.113.5", forged="198.51.100.77")
    response = _login(client, "hongdan", settings.DEMO_PASSWORD, client_ip="203.0.113.5", forged="10.9.8.7")
    assert response.status_code == 429


def test_one_person_cannot_lock_another_out_from_elsewhere(client, demo, settings):
    _fail(client, "hongdan", 6, "203.0.113.5")
    # The real officer, at the district office, still gets in.
    assert _login(client, "hongdan", settings.DEMO_PASSWORD, client_ip="203.0.113.200").status_code == 302
    client.logout()
    # And another officer behind the attacker's address is not locked either.
    assert _login(client, "donghai", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302


def test_the_client_address_is_the_one_nginx_appended():
    factory = RequestFactory()
    via_nginx = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert security.client_ip(via_nginx) == "203.0.113.5"
    # Straight to the application (not through the trusted proxy): the header is ignored.
    direct = factory.get("/", REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert security.client_ip(direct) == "198.51.100.20"
    # Garbage in the header falls back to the proxy's own address instead of crashing or trusting it.
    garbage = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, not-an-ip")
    assert security.client_ip(garbage) == "127.0.0.1"
    assert security.client_ip(factory.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_two_proxies_take_the_second_address_from_the_right(settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 2
    settings.PORTAL_TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2")
    assert security.client_ip(request) == "203.0.113.5"
    # Reaching nginx without the balancer: nginx's entry is the sender, whatever it wrote to the left.
    bypass = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert security.client_ip(bypass) == "198.51.100.7"


def test_a_balancer_that_is_not_listed_is_not_believed(settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2")
    assert security.client_ip(request) == "10.0.0.2"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ngan-qua", "password_too_short"),
        ("12345678901234", "password_entirely_numeric"),
        ("password1234", "password_too_common"),
        ("hongdan2022", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused_with_a_vietnamese_reason(demo, password, code):
    from portal.models import User

    user = User.objects.get(username="hongdan")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)
    assert code in [e.code for e in error.value.error_list]
    assert any("mật khẩu" in m.lower() for m in error.value.messages), error.value.messages


def test_a_long_unusual_password_is_accepted(demo):
    from portal.models import User

    validate_password("Lua-thom-Hong-Dan-2022", user=User.objects.get(username="hongdan"))


def test_logging_in_gives_a_new_session_key(client, demo, settings):
    client.get("/dang-nhap/")
    session = client.session
    session["before-login"] = "x"
    session.save()
    before = session.session_key
    assert _login(client, "hongdan", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302
    after = client.session.session_key
    assert after and after != before
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=before).exists()


def _age(client, **shift):
    session = client.session
    for key, seconds in shift.items():
        session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_expires_after_the_idle_age(client, demo, settings):
    from django.contrib.sessions.models import Session

    assert _login(client, "lienminh", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302
    assert client.get("/admin/").status_code == 200
    row = Session.objects.get(session_key=client.session.session_key)
    from datetime import timedelta

    from django.utils import timezone

    remaining = row.expire_date - timezone.now()
    assert (
        timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        < remaining
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    # Idle past the age: the server no longer knows the session.
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_activity_pushes_the_idle_expiry_back_at_most_every_five_minutes(client, alliance_staff, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(alliance_staff)
    key = client.session.session_key
    _age(client, **{security.TOUCHED_AT_KEY: 600})
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get("/dang-nhap/?probe=1")  # active again: the expiry is pushed back to a full idle age
    pushed = Session.objects.get(pk=key).expire_date
    assert pushed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # A second request soon after does not write the session again.
    client.get("/dang-nhap/?probe=2")
    assert Session.objects.get(pk=key).expire_date == pushed


def test_a_session_ends_hours_after_login_however_active(client, demo, settings):
    assert _login(client, "lienminh", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302
    _age(client, **{security.LOGIN_AT_KEY: settings.PORTAL_SESSION_ABSOLUTE_SECONDS + 5, security.TOUCHED_AT_KEY: 5})
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind="session_expired", username="lienminh").exists()
    assert "Phiên làm việc đã hết hạn" in client.get("/dang-nhap/").content.decode()


def test_a_session_just_inside_the_absolute_limit_is_kept(client, demo, settings):
    assert _login(client, "lienminh", settings.DEMO_PASSWORD, client_ip="203.0.113.5").status_code == 302
    _age(client, **{security.LOGIN_AT_KEY: settings.PORTAL_SESSION_ABSOLUTE_SECONDS - 30})
    assert client.get("/admin/").status_code == 200


def test_logins_failures_and_refusals_are_logged_with_the_real_address(client, demo, settings):
    _login(client, "hongdan", "sai-mat-khau", client_ip="203.0.113.5", forged="6.6.6.6")
    _login(client, "lienminh", settings.DEMO_PASSWORD, client_ip="203.0.113.7")
    # lienminh is staff but has no permission on the security log: a refusal.
    response = client.get("/admin/portal/securityevent/", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.status_code == 403
    failed = SecurityEvent.objects.get(kind="login_failed")
    assert (failed.username, failed.ip_address, failed.user) == ("hongdan", "203.0.113.5", None)
    login = SecurityEvent.objects.get(kind="login")
    assert (login.user.username, login.ip_address) == ("lienminh", "203.0.113.7")
    refused = SecurityEvent.objects.get(kind="permission_denied")
    assert (refused.username, refused.path, refused.ip_address) == (
        "lienminh",
        "/admin/portal/securityevent/",
        "203.0.113.7",
    )


def test_a_csrf_failure_is_logged_as_a_refusal(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "hongdan", "password": "x"})
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind="permission_denied", path="/dang-nhap/").exists()


def test_the_security_log_is_read_only_in_the_admin(client, superuser):
    client.force_login(superuser)
    security.record_event("login", None, username="x")
    assert client.get("/admin/portal/securityevent/").status_code == 200
    assert client.get("/admin/portal/securityevent/add/").status_code == 403
    event = SecurityEvent.objects.get(username="x")
    response = client.post(f"/admin/portal/securityevent/{event.pk}/change/", {"username": "sua"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.username == "x"
    assert client.post(f"/admin/portal/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def _events(n):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind="login_failed", username=f"u{i}", ip_address="203.0.113.1") for i in range(n)
    )


def test_the_security_log_changelist_does_the_same_queries_for_few_and_many_rows(
    client, superuser, django_assert_num_queries
):
    client.force_login(superuser)
    _events(3)
    client.get("/admin/portal/securityevent/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/portal/securityevent/").status_code == 200
    _events(300)
    with django_assert_num_queries(len(few)):
        assert client.get("/admin/portal/securityevent/").status_code == 200


def test_the_admin_login_form_is_locked_out_too(client, demo, settings):
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "lienminh", "password": "sai", "next": "/admin/"},
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    response = client.post(
        "/admin/login/",
        {"username": "lienminh", "password": settings.DEMO_PASSWORD, "next": "/admin/"},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()
