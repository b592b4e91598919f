from celery import shared_task
from django.core.cache import cache


@shared_task(name="portal.ping")
def ping(token: str) -> str:
    """Leave `token` in the cache: the worker test and /healthz callers use it to see a worker is consuming."""
    cache.set(f"portal:ping:{token}", "pong", 300)
    return "pong"
