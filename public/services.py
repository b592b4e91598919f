"""Services of the public site (HackSoft style: keyword-only, one transaction, side effects on commit)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.cache import CacheUnavailable
from portal.tasks import publish_on_commit

from .counters import bump, hashed
from .models import Article, ContactMessage
from .tasks import email_contact_message


def article_save(*, article: Article, by=None) -> Article:
    """Save an article as the editors' desk does.

    The publishing rule: an article that is not a draft goes out at its publish time, now if none is given; one
    marked published with a time still to come is scheduled until then. `by` (a user) is recorded as the article's
    author when it is new and as its last editor."""
    article_apply_publishing_rule(article=article, now=timezone.now())
    if by is not None:
        if article._state.adding:
            article.created_by = by
        article.updated_by = by
    article.save()
    return article


def article_apply_publishing_rule(*, article: Article, now) -> None:
    """An article that is not a draft goes out at its publish time, `now` if none is given; one marked published
    with a time still to come is scheduled until then. Changes the instance only (the preview shows it so too)."""
    if article.status != Article.Status.DRAFT and article.publish_at is None:
        article.publish_at = now
    if article.status == Article.Status.PUBLISHED and article.publish_at > now:
        article.status = Article.Status.SCHEDULED


class RateLimited(Exception):
    pass


def contact_message_create(*, name: str, email: str, phone: str, subject: str, body: str, ip: str) -> ContactMessage:
    """Store a message from the Liên hệ form and e-mail it to staff after commit; at most N per IP per hour."""
    ip_hash = hashed("contact", ip)
    key = f"portal:contact:{ip_hash}"
    try:
        sent = bump(key, 3600, strict=True)
    except CacheUnavailable:
        # Neither open nor closed: without the cache the limit is counted from the stored messages (one query), so
        # citizens can still write and a flood is still stopped.
        hour_ago = timezone.now() - timedelta(hours=1)
        sent = ContactMessage.objects.filter(ip_hash=ip_hash, created_at__gte=hour_ago).count() + 1
    if sent > settings.PORTAL_CONTACT_PER_HOUR:
        raise RateLimited("Bạn đã gửi quá nhiều thư trong một giờ. Vui lòng thử lại sau.")
    message = ContactMessage(name=name, email=email, phone=phone, subject=subject, body=body, ip_hash=ip_hash)
    message.full_clean()
    message.save()
    publish_on_commit(email_contact_message, message.pk)  # broker down: sweep_contact_messages sends it
    return message
