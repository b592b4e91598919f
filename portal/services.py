"""Services of the public site (HackSoft style: keyword-only, one transaction, side effects on commit)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import roles
from .counters import bump, hashed
from .models import ContactMessage, SiteSettings, User


class RateLimited(Exception):
    pass


def contact_message_create(*, name: str, email: str, phone: str, subject: str, body: str, ip: str) -> ContactMessage:
    """Store a message from the Liên hệ form and e-mail it to staff after commit; at most N per IP per hour."""
    ip_hash = hashed("contact", ip)
    key = f"portal:contact:{ip_hash}"
    if bump(key, 3600) > settings.PORTAL_CONTACT_PER_HOUR:
        raise RateLimited("Bạn đã gửi quá nhiều thư trong một giờ. Vui lòng thử lại sau.")
    message = ContactMessage(name=name, email=email, phone=phone, subject=subject, body=body, ip_hash=ip_hash)
    message.full_clean()
    message.save()
    from .tasks import email_contact_message

    email_contact_message.delay_on_commit(message.pk)
    return message


def staff_recipients() -> list[str]:
    emails = set(
        User.objects.filter(is_active=True, groups__name=roles.ALLIANCE_STAFF)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    org = SiteSettings.current()
    if org.email:
        emails.add(org.email)
    return sorted(emails)


def contact_message_send(*, message_id: int) -> bool:
    """Send once: a second run finds `emailed_at` set and does nothing."""
    with transaction.atomic():
        message = ContactMessage.objects.select_for_update().filter(pk=message_id, emailed_at__isnull=True).first()
        if message is None:
            return False
        recipients = staff_recipients()
        if recipients:
            send_mail(
                subject=f"[Liên hệ] {message.subject}",
                message=render_to_string("emails/contact_message.txt", {"message": message}),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
    return True
