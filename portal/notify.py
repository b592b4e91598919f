"""Reminders that reach people: one inbox per user (portal.Notification) and e-mails whose links are absolute.

Apps on every floor call `notify` for the people a reminder concerns and `mail_on_commit` for the addresses it goes
to. An e-mail has a plain-text and an HTML part rendered from `<template>.txt` and `<template>.html`; templates
turn each path into a full link on the configured site with the `on_site` filter (portal.siteurl), never from a
request's Host header, as a mail client has no site to resolve a path against.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from . import staffcache
from .models import Notification

UNREAD_SECONDS = 300


def _unread_key(user_id: int) -> str:
    return f"portal:unread:{user_id}"


def forget_unread(user_ids) -> None:
    """Drop the cached unread counts of these users (and their kept staff pages), now and again once the
    transaction commits."""
    # The user's kept staff pages too (portal.staffcache): their header shows the count.
    keys = [key for pk in set(user_ids) for key in (_unread_key(pk), staffcache.user_key(pk))]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def unread_count(user) -> int:
    """How many of the user's notifications are unread: one COUNT query, then the cache until one changes."""
    if not user.is_authenticated:
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


def notify(users, *, title: str, body: str = "", link: str = "") -> int:
    """Put one notification in each user's inbox; `link` is a path on the site. Returns how many."""
    people = {user.pk: user for user in users}
    Notification.objects.bulk_create(
        [Notification(user_id=pk, title=title[:255], body=body, link=link[:300]) for pk in people]
    )
    forget_unread(people)
    return len(people)


def mark_read(queryset, now) -> int:
    """Mark the unread notifications of `queryset` read; returns how many changed."""
    rows = queryset.filter(read_at__isnull=True)
    users = list(rows.values_list("user_id", flat=True).distinct())
    changed = rows.update(read_at=now)
    forget_unread(users)
    return changed


def render_mail(*, subject: str, template: str, context: dict, recipients) -> EmailMultiAlternatives:
    """The message with its text part from `<template>.txt` and its HTML part from `<template>.html`."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(recipients),
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def mail_on_commit(*, subject: str, template: str, context: dict, recipients, fail_silently: bool = False) -> bool:
    """Send the message once the current transaction commits (nothing when it rolls back). False: no address."""
    recipients = sorted(set(recipients) - {""})
    if not recipients:
        return False
    message = render_mail(subject=subject, template=template, context=context, recipients=recipients)
    transaction.on_commit(lambda: message.send(fail_silently=fail_silently))
    return True
