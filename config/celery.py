"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

With CELERY_BROKER_URL unset (a newcomer's machine) settings make every task run eagerly in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# DjangoTask adds delay_on_commit(): every place that enqueues a task does so only once its transaction commits.
app = Celery("cong_htx", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
