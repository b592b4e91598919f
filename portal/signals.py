"""Cache invalidation only: each app names, in its AppConfig.ready, the models whose changes make a cached read
stale. `watch_versioned` ties a named version (portal.versioned) to models; the public content version has its
own `portal.contentcache.watch`. The kernel's own: the unit trees user_scope caches ("units")."""

from functools import partial

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import versioned


def _bump_version(name, sender, **kwargs):
    versioned.bump(name)


def watch_versioned(name: str, *labels: str, m2m: tuple = ()) -> None:
    """Bump version `name` whenever a row of these models ("app.Model") is saved or deleted, or one of these
    many-to-many relations ("app.Model.field") changes."""
    from django.apps import apps

    receiver = partial(_bump_version, name)
    for label in labels:
        model = apps.get_model(label)
        uid = f"portal.version.{name}.{label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.delete")
    for dotted in m2m:
        label, field = dotted.rsplit(".", 1)
        through = getattr(apps.get_model(label), field).through
        m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"portal.version.{name}.{dotted}")


def connect() -> None:
    watch_versioned("units", "portal.AdministrativeUnit", "portal.Agency")
