"""Contact messages e-mailed to the alliance's staff (run by public.tasks.email_contact_message)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal import roles
from portal.models import SiteSettings, User

from .models import ContactMessage


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
