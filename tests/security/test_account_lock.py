"""The per-username ceiling: many failed logins for one account from many addresses lock its password login until
an administrator unlocks it; the administrators are told once; a cache flush or a dead broker changes nothing."""

import threading
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from config.celery import app as celery_app
from portal.account_lock import login_unlock
from portal.lock_mail import login_lock_mails_send
from portal.models import SecurityEvent, SiteSettings, User
from tests.security.htmlforms import form_data

pytestmark = pytest.mark.security

NGINX = "127.0.0.1"


def _login(username, password, ip, client=None):
    client = client or Client()
    response = client.post(
        "/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=ip
    )
    return response, client


def _spread_failures(username, count, start=1):
    """One wrong password from each of `count` addresses: axes' per-address lock never trips."""
    for i in range(start, start + count):
        _login(username, "sai-mat-khau", f"198.51.{i // 250}.{i % 250 + 1}")


def _locked(username="hongdan") -> bool:
    return User.objects.get(username=username).login_locked_at is not None


def test_thirty_failures_from_thirty_addresses_lock_the_account_and_tell_the_administrators_once(
    demo, settings, django_capture_on_commit_callbacks
):
    org = SiteSettings.current()
    org.phone, org.email = "0291 3822 123", "lienminh@example.vn"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        _spread_failures("hongdan", 29)
    assert not _locked() and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = _login("hongdan", "sai-mat-khau", "203.0.113.99")
    assert _locked()
    assert response.status_code == 403
    html = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in html and "hongdan" in html
    assert "0291 3822 123" in html and "lienminh@example.vn" in html and "liên hệ quản trị viên" in html
    events = SecurityEvent.objects.filter(kind="account_locked", username="hongdan")
    assert [e.detail for e in events] == ["30 lần đăng nhập sai trong 60 phút, từ 30 địa chỉ"]
    assert len(mail.outbox) == 1
    recipients = set(mail.outbox[0].to)
    assert {"quantri@example.invalid", "lienminh@example.invalid"} <= recipients
    assert "hongdan@example.invalid" not in recipients
    assert "hongdan" in mail.outbox[0].subject and "Mở khóa đăng nhập" in mail.outbox[0].body

    # Later tries, with the right password too, from a fresh address: the same page, no login, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        right, client = _login("hongdan", settings.DEMO_PASSWORD, "192.0.2.44")
        wrong, _ = _login("hongdan", "sai-mat-khau", "192.0.2.45")
    assert (right.status_code, wrong.status_code) == (403, 403)
    assert "Tài khoản tạm thời bị khóa" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert (events.count(), len(mail.outbox)) == (1, 1)
    # `client.login` (no request) is refused too.
    assert Client().login(username="hongdan", password=settings.DEMO_PASSWORD) is False


def test_failures_older_than_the_window_do_not_count(demo, settings):
    _spread_failures("hongdan", 29)
    SecurityEvent.objects.filter(kind="login_failed").update(created_at=timezone.now() - timedelta(minutes=61))
    _spread_failures("hongdan", 29, start=100)
    assert not _locked()
    _login("hongdan", "sai-mat-khau", "192.0.2.1")
    assert _locked()


def test_a_cache_flush_does_not_reset_the_count(demo, settings):
    _spread_failures("hongdan", 20)
    cache.clear()
    _spread_failures("hongdan", 10, start=50)
    assert _locked()


def test_an_unknown_username_locks_nothing_and_other_accounts_still_log_in(demo, settings):
    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = 3
    _spread_failures("khong-co-ai", 5)
    _spread_failures("hongdan", 3)
    assert _locked("hongdan") and not User.objects.filter(login_locked_at__isnull=False).exclude(username="hongdan")
    response, _ = _login("donghai", settings.DEMO_PASSWORD, "198.51.0.2")  # an address the attack used
    assert response.status_code == 302


def test_the_admin_lists_locked_accounts_and_its_action_unlocks_them_in_the_log(client, superuser, settings):
    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = 3
    _spread_failures("hongdan", 3)
    hongdan = User.objects.get(username="hongdan")
    client.force_login(superuser)
    listed = client.get("/admin/portal/user/?khoa_dang_nhap=co")
    assert listed.status_code == 200
    assert [u.username for u in listed.context["cl"].result_list] == ["hongdan"]
    assert "Mở khóa đăng nhập" in listed.content.decode()
    response = client.post(
        "/admin/portal/user/", {"action": "unlock_login", "_selected_action": [hongdan.pk]}, REMOTE_ADDR=NGINX
    )
    assert response.status_code == 302
    assert not _locked()
    unlocked = SecurityEvent.objects.get(kind="account_unlocked")
    assert (unlocked.username, unlocked.detail) == ("hongdan", f"Mở khóa bởi {superuser.username}")
    assert client.get("/admin/portal/user/?khoa_dang_nhap=co").context["cl"].result_list.count() == 0
    # The failures before the unlock no longer count: one more does not lock again.
    _login("hongdan", "sai-mat-khau", "192.0.2.9")
    assert not _locked()
    assert _login("hongdan", settings.DEMO_PASSWORD, "192.0.2.10")[0].status_code == 302


def test_the_users_change_page_unlocks_too(client, superuser, settings):
    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = 3
    _spread_failures("hongdan", 3)
    hongdan = User.objects.get(username="hongdan")
    client.force_login(superuser)
    url = f"/admin/portal/user/{hongdan.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "Khóa đăng nhập" in page.content.decode()
    data = form_data(page.content.decode(), "user_form")
    data["unlock_login_on_save"] = ["on"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not _locked()
    assert SecurityEvent.objects.filter(kind="account_unlocked", username="hongdan").count() == 1
    # Saving again without the box changes nothing and logs nothing.
    client.post(url, form_data(client.get(url).content.decode(), "user_form"))
    assert SecurityEvent.objects.filter(kind="account_unlocked").count() == 1


def test_with_the_broker_down_the_lock_holds_the_login_answers_and_the_sweep_mails_later(
    demo, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = 3
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool
    # Nothing listens on port 1; fresh pools so that the app connects to it, and the old ones come back afterwards.
    conf.task_always_eager, conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = (
        False,
        "redis://127.0.0.1:1/0",
        None,
        None,
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _spread_failures("hongdan", 2)
            response, _ = _login("hongdan", "sai-mat-khau", "192.0.2.77")
    finally:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        conf.task_always_eager, conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = saved
    assert response.status_code == 403
    assert _locked() and mail.outbox == []
    assert not User.objects.get(username="hongdan").login_lock_notified
    # The periodic sweep, once the broker is back, sends it; a second run sends nothing.
    assert (login_lock_mails_send(), login_lock_mails_send(), len(mail.outbox)) == (1, 0, 1)


def _attempt_at_once(barrier, answers, ip):
    barrier.wait()
    try:
        answers.append(_login("hongdan", "sai-mat-khau", ip)[0].status_code)
    finally:
        connection.close()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_failures_at_once_at_the_ceiling_lock_once_and_send_one_email(demo, settings):
    settings.PORTAL_ACCOUNT_FAILURE_LIMIT = 10
    hongdan = User.objects.get(username="hongdan")
    admin = User.objects.get(username="quantri")
    for round_ in range(5):
        mail.outbox.clear()
        _spread_failures("hongdan", 8, start=round_ * 20 + 1)
        barrier, answers = threading.Barrier(3), []
        threads = [
            threading.Thread(target=_attempt_at_once, args=(barrier, answers, f"203.0.113.{round_ * 10 + i}"))
            for i in (1, 2, 3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(answers) == 3 and 403 in answers, answers
        assert _locked()
        assert SecurityEvent.objects.filter(kind="account_locked").count() == round_ + 1, round_
        assert len(mail.outbox) == 1, round_
        login_unlock(user=hongdan, by=admin)
    AccessAttempt.objects.all().delete()
