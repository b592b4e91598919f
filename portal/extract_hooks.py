"""The hook each app calls from AppConfig.ready for its attachment models: a file saved new or replaced has its
text extracted by the worker once the transaction commits (portal.extract, portal.tasks.extract_text).

Apart from portal.extract because it enqueues a task (portal.tasks), and the models that inherit the mixin in
portal.extract must not import the task machinery."""

from django.db.models.signals import post_init, post_save, pre_save

from . import extract, tasks

UNKNOWN = object()


def extract_on_upload(model, *, parent: str | None = None) -> None:
    """Extract `model.file`'s text after each upload; `parent` names the foreign key to the row whose search_text
    includes that text (Document, Article), or None when the file is not searched (internal papers)."""
    extract.REGISTRY[model._meta.label] = parent
    uid = f"extract:{model._meta.label}"
    post_init.connect(_remember_file, sender=model, weak=False, dispatch_uid=uid)
    pre_save.connect(_mark_changed_file, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(_enqueue, sender=model, weak=False, dispatch_uid=uid)


def extract_again(row) -> None:
    """Mark one row's text as waiting and enqueue its extraction (the admin's "Trích xuất lại nội dung")."""
    if not row.file:
        return
    type(row).objects.filter(pk=row.pk).update(text_state=extract.TextState.PENDING, text_done_pages=0, text_error="")
    tasks.publish_on_commit(tasks.extract_text, row._meta.label, row.pk)


def _remember_file(sender, instance, **kwargs):
    # The raw value, read without touching the descriptor: a deferred `file` must not cost a query here.
    raw = instance.__dict__.get("file", UNKNOWN)
    instance._extract_loaded = getattr(raw, "name", raw) if raw is not UNKNOWN else UNKNOWN


def _mark_changed_file(sender, instance, raw=False, **kwargs):
    if raw or "file" not in instance.__dict__:
        instance._extract_now = False
        return
    current = instance.file
    loaded = getattr(instance, "_extract_loaded", UNKNOWN)
    fresh = instance._state.adding or not current._committed
    replaced = loaded is not UNKNOWN and (loaded or "") != (current.name or "")
    instance._extract_now = bool(current) and (fresh or replaced)
    if instance._extract_now:
        instance.text_state = extract.TextState.PENDING
        instance.text = ""
        instance.text_pages = instance.text_done_pages = 0
        instance.text_method = instance.text_error = ""


def _enqueue(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "_extract_now", False):
        return
    instance._extract_now = False
    instance._extract_loaded = instance.file.name
    tasks.publish_on_commit(tasks.extract_text, sender._meta.label, instance.pk)
