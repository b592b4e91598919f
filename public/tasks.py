"""The public site's tasks. Their names are what queued messages and the beat schedule carry, so they keep the
names they had when the public site lived in the kernel app."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.tasks import RELIABLE, publish, reliable

from .counters import flush_article_views, flush_visits
from .mail import contact_message_send
from .models import ContactMessage

SWEEP_BATCH = 500  # a backlog larger than this goes out over the next sweeps


@shared_task(name="portal.flush_counters", **reliable(soft_time_limit=50, time_limit=60))
def flush_counters() -> dict:
    """Write buffered article views and daily visits to their rows (beat, every minute). Safe to run twice."""
    return {"views": flush_article_views(), "visits": flush_visits()}


@shared_task(name="portal.email_contact_message", **RELIABLE)
def email_contact_message(message_id: int) -> bool:
    """E-mail a contact message to the alliance's staff, once (the row records when it went out)."""
    return contact_message_send(message_id=message_id)


@shared_task(name="portal.sweep_contact_messages", **reliable(soft_time_limit=50, time_limit=60))
def sweep_contact_messages() -> int:
    """Beat: publish again the e-mail of messages still not sent minutes after they came (the broker was down
    when the visitor sent them). The e-mail task sends once, so a message both queued and swept goes out once;
    with the broker still down nothing is published and the next sweep tries again."""
    cutoff = timezone.now() - timedelta(minutes=settings.PORTAL_PUBLISH_SWEEP_MINUTES)
    pending = ContactMessage.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff).order_by("pk")
    published = 0
    for pk in pending.values_list("pk", flat=True)[:SWEEP_BATCH]:
        if not publish(email_contact_message, pk):
            break
        published += 1
    return published
