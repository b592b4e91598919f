"""Cache invalidation only: any change to public content bumps the content version the home page is cached under."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .selectors import bump_content_version

WATCHED = [
    "portal.Article", "portal.Category", "portal.Page", "portal.Poll", "portal.Choice", "portal.WebLink",
    "portal.WebLinkGroup", "portal.Attachment", "directives.Document", "cooperatives.Cooperative",
]  # fmt: skip


def _bump(sender, **kwargs):
    bump_content_version()


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
