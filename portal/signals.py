"""Cache invalidation only: any change to public content bumps the content version the home page is cached under;
changes to units, agencies and reports bump the versions of what is cached from them (portal.versioned)."""

from functools import partial

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import versioned
from .selectors import bump_content_version

WATCHED = [
    "portal.Article", "portal.Category", "portal.Page", "portal.Poll", "portal.Choice", "portal.WebLink",
    "portal.WebLinkGroup", "portal.Attachment", "directives.Document", "cooperatives.Cooperative",
]  # fmt: skip


# version name -> the models whose changes make what is cached under it stale
VERSIONED = {
    "units": ["portal.AdministrativeUnit", "portal.Agency"],  # user_scope's unit trees
    "report-matrix": ["directives.Report", "directives.ReportRequest", "portal.Agency"],  # the province's matrix
}
VERSIONED_M2M = {"report-matrix": ["directives.ReportRequest.agencies"]}


def _bump(sender, **kwargs):
    bump_content_version()


def _bump_version(name, sender, **kwargs):
    versioned.bump(name)


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_bump, sender=model, dispatch_uid=f"portal.bump.save.{label}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"portal.bump.delete.{label}")
    from .models import Article

    m2m_changed.connect(_bump, sender=Article.tags.through, dispatch_uid="portal.bump.tags")

    for name, labels in VERSIONED.items():
        receiver = partial(_bump_version, name)
        for label in labels:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            uid = f"portal.version.{name}.{label}"
            post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.save")
            post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.delete")
    for name, fields in VERSIONED_M2M.items():
        receiver = partial(_bump_version, name)
        for dotted in fields:
            label, field = dotted.rsplit(".", 1)
            try:
                through = getattr(apps.get_model(label), field).through
            except LookupError:
                continue
            m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"portal.version.{name}.{dotted}")
