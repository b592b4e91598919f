"""The e-mail that tells the alliance's administrators an account's password login was locked (sent by the task
portal.email_login_locks after the lock commits, and by its periodic sweep; once per lock)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from . import roles
from .models import SecurityEvent, SiteSettings, User

log = logging.getLogger("portal.security")


def lock_recipients() -> list[str]:
    """The alliance's administrators: active superusers and "Cán bộ Liên minh" staff with an e-mail address."""
    return sorted(
        set(
            User.objects.filter(Q(is_superuser=True) | Q(groups__name=roles.ALLIANCE_STAFF), is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def login_lock_mails_send() -> int:
    """E-mail each lock not yet told, once (the flag is set under the account's row lock). Returns how many."""
    sent = 0
    pending = User.objects.filter(login_locked_at__isnull=False, login_lock_notified=False).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            user = (
                User.objects.select_for_update()
                .filter(pk=pk, login_locked_at__isnull=False, login_lock_notified=False)
                .first()
            )
            if user is None:
                continue
            recipients = lock_recipients()
            if recipients:
                event = (
                    SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCOUNT_LOCKED, user=user)
                    .order_by("-id")
                    .first()
                )
                context = {"user": user, "event": event, "org": SiteSettings.current()}
                send_mail(
                    subject=f"[Cổng HTX] Tài khoản {user.username} bị khóa đăng nhập",
                    message=render_to_string("emails/login_locked.txt", context),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=recipients,
                )
            else:
                log.warning("account %s locked and no administrator has an e-mail address", user.username)
            user.login_lock_notified = True
            user.save(update_fields=["login_lock_notified"])
            sent += 1
    return sent
