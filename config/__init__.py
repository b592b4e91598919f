"""The project's wiring: settings, root URLs, the Celery app, WSGI/ASGI entry points and the database router.

It may import every app; no app imports it (settings are read through django.conf.settings).
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
