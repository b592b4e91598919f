"""Receivers that hand work to Celery, connected in DirectivesConfig.ready: each only enqueues a task on commit."""

from portal.signatures import SignatureState
from portal.tasks import publish, publish_on_commit

from . import tasks

_KINDS = {"DocumentFile": "document", "ReportFile": "report"}


def file_saved(sender, instance, **kwargs):
    """A new PDF upload waits in the "pending" state; its check runs once the upload is committed."""
    if instance.signature_state == SignatureState.PENDING:
        publish_on_commit(tasks.check_file_signature, _KINDS[sender.__name__], instance.pk)


def roots_changed(sender, **kwargs):
    """The trusted roots changed (and that change committed): check every signed file again."""
    publish(tasks.recheck_signatures)
