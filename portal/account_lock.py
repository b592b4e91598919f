"""The per-username ceiling on failed password logins, the lock it sets, and the unlock.

django-axes locks a username *from one address* for a few minutes (config/settings.py AXES_*); that stops one
machine guessing, not a guess spread over many addresses. So this module also counts the failed logins of each
account from any address: PORTAL_ACCOUNT_FAILURE_LIMIT of them within PORTAL_ACCOUNT_FAILURE_WINDOW (since the last
unlock) lock the account's password login until an administrator unlocks it, and the alliance's administrators
are e-mailed once per lock. There is no cool-off: a cool-off would let a distributed guess go on unattended at the
ceiling's rate (30 an hour is 720 a day); a lock that a person lifts means a person has looked.

The count comes from the security log (one `login_failed` row per attempt, written by portal.security), never from
the cache, so a cache flush or a Redis outage cannot reset it.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import SecurityEvent, User
from .tasks import email_login_locks, publish_on_commit

log = logging.getLogger("portal.security")


def login_is_locked(username: str) -> bool:
    """Whether the account with this username (exactly as the login backend looks it up) is locked."""
    return User.objects.filter(username=username, login_locked_at__isnull=False).exists()


def _failures_since_unlock(user: User, now):
    """The failed logins of `user` counted by the ceiling: within the window and after the last unlock."""
    failures = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        username=user.username,
        created_at__gte=now - settings.PORTAL_ACCOUNT_FAILURE_WINDOW,
    )
    last_unlock = (
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCOUNT_UNLOCKED, user=user)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if last_unlock is not None:
        # By id, not time: a failure in the same instant as the unlock still falls on the right side of it.
        failures = failures.filter(id__gt=last_unlock)
    return failures


def login_failure_noted(*, username: str) -> bool:
    """After a failed login of `username` was logged: lock the account if the ceiling is reached. True if it locked.

    The account row is locked while counting, so two failures at once near the ceiling lock once and send one
    e-mail. A username with no account locks nothing.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None or user.login_locked_at is not None:
            return False
        now = timezone.now()
        failures = _failures_since_unlock(user, now)
        count = failures.count()
        if count < settings.PORTAL_ACCOUNT_FAILURE_LIMIT:
            return False
        addresses = failures.exclude(ip_address=None).values("ip_address").distinct().count()
        user.login_locked_at = now
        user.login_lock_notified = False
        user.save(update_fields=["login_locked_at", "login_lock_notified"])
        minutes = int(settings.PORTAL_ACCOUNT_FAILURE_WINDOW.total_seconds() // 60)
        SecurityEvent.objects.create(
            kind=SecurityEvent.Kind.ACCOUNT_LOCKED,
            user=user,
            username=user.username,
            detail=f"{count} lần đăng nhập sai trong {minutes} phút, từ {addresses} địa chỉ",
        )
        # Broker down: the lock is stored all the same and the periodic sweep (portal-login-lock-mails) mails it.
        publish_on_commit(email_login_locks)
    log.warning("account %s locked after %s failed logins from %s addresses", user.username, count, addresses)
    return True


def login_unlock(*, user: User, by: User, ip_address: str | None = None) -> bool:
    """An administrator lifts the lock; failures before this moment no longer count. True if it was locked."""
    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=user.pk, login_locked_at__isnull=False).first()
        if locked is None:
            return False
        locked.login_locked_at = None
        locked.login_lock_notified = False
        locked.save(update_fields=["login_locked_at", "login_lock_notified"])
        SecurityEvent.objects.create(
            kind=SecurityEvent.Kind.ACCOUNT_UNLOCKED,
            user=locked,
            username=locked.username,
            ip_address=ip_address,
            detail=f"Mở khóa bởi {by.get_username()}"[:300],
        )
    user.login_locked_at = None
    user.login_lock_notified = False
    return True
