"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery.

With CELERY_BROKER_URL unset (a newcomer's machine) settings make every task run eagerly in-process.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from portal import replica

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# DjangoTask adds delay_on_commit(): every place that enqueues a task does so only once its transaction commits.
app = Celery("cong_htx", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task's reads go to the primary: it was queued after a commit that the replica may not have replayed yet.
task_prerun.connect(replica.task_started, weak=False, dispatch_uid="portal.replica.task_started")
task_postrun.connect(replica.task_finished, weak=False, dispatch_uid="portal.replica.task_finished")


@app.on_after_configure.connect
def _redbeat_names(sender, **kwargs):
    """celery-redbeat looks for its options under their own names (redbeat_redis_url, ...), which the CELERY_
    namespace of Django's settings hides from it: it would warn that it falls back to the broker's URL and options,
    and pass none of redbeat_redis_options to its Redis client. Name them as it expects."""
    names = ("redbeat_redis_url", "redbeat_redis_options", "redbeat_key_prefix", "redbeat_lock_timeout")
    sender.conf.update({name: sender.conf.get(name) for name in names if sender.conf.get(name) is not None})
