"""The public site's tasks. Their names are what queued messages and the beat schedule carry, so they keep the
names they had when the public site lived in the kernel app."""

from celery import shared_task

from portal.tasks import RELIABLE, reliable

from .counters import flush_article_views, flush_visits
from .mail import contact_message_send


@shared_task(name="portal.flush_counters", **reliable(soft_time_limit=50, time_limit=60))
def flush_counters() -> dict:
    """Write buffered article views and daily visits to their rows (beat, every minute). Safe to run twice."""
    return {"views": flush_article_views(), "visits": flush_visits()}


@shared_task(name="portal.email_contact_message", **RELIABLE)
def email_contact_message(message_id: int) -> bool:
    """E-mail a contact message to the alliance's staff, once (the row records when it went out)."""
    return contact_message_send(message_id=message_id)
