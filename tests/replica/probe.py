"""Run by `manage.py shell` against the pair: where reads go, printed as JSON (tests/replica/test_on_the_pair.py)."""

import json

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import router
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.celery import app
from portal.models import SecurityEvent, User
from public.models import ContactMessage, Page


@app.task(name="tests.replica.probe")
def probe(pk):
    return ContactMessage.objects.filter(pk=pk).exists()


message = ContactMessage.objects.create(name="Khách", email="khach@example.vn", subject="Hỏi", body="Nội dung")
models = [Session, User, Group, Permission, ContentType, LogEntry, SecurityEvent, AccessAttempt, AccessLog,
          AccessFailureLog, TOTPDevice, Page, ContactMessage]  # fmt: skip
result = {
    "read_outside_task": ContactMessage.objects.filter(pk=message.pk).exists(),
    "read_in_task": probe.apply(args=[message.pk]).get(),
    "read_after_task": ContactMessage.objects.filter(pk=message.pk).exists(),
    "routes": {model._meta.label_lower: router.db_for_read(model) for model in models},
}
print("PROBE " + json.dumps(result))
