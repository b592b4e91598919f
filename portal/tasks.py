from celery import shared_task
from django.core.cache import cache


@shared_task(name="portal.ping")
def ping(token: str) -> str:
    """Leave `token` in the cache: the worker test and /healthz callers use it to see a worker is consuming."""
    cache.set(f"portal:ping:{token}", "pong", 300)
    return "pong"


@shared_task(name="portal.flush_counters")
def flush_counters() -> dict:
    """Write buffered article views and daily visits to their rows (beat, every minute). Safe to run twice."""
    from .counters import flush_article_views, flush_visits

    return {"views": flush_article_views(), "visits": flush_visits()}


@shared_task(name="portal.email_contact_message")
def email_contact_message(message_id: int) -> bool:
    """E-mail a contact message to the alliance's staff, once (the row records when it went out)."""
    from .services import contact_message_send

    return contact_message_send(message_id=message_id)
