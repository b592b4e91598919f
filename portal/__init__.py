"""Project configuration and the public site of Cổng HTX."""

from .celery import app as celery_app

__all__ = ["celery_app"]
