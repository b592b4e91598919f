"""Signed-in staff pages kept per user and session until anything they show may have changed.

Staff pages (the officer workspace, the report matrix, the loan book, the registry dashboard, the large admin
changelists) are read far more often than the rows under them change, and at scale each costs 5-30 ms of CPU to
build, the registry dashboard over a second (docs/performance.md). A page is kept under a key made of:

- the user and a hash of the session's CSRF secret: the page carries a form token made from that secret, so a page
  kept for one session is never served to another (nor to another user);
- the full path with its query string, and the day (overdue flags turn with the calendar);
- the "staff" version (portal.versioned), bumped when a transaction that saved or deleted any row, or changed a
  many-to-many relation, commits (every model but the few in UNWATCHED, which no staff page shows or which change
  on their own all day). Any row may appear on some staff page, and staff writes are rare next to staff reads;
- the user's mark (`user_key`), which portal.notify drops whenever the user's notifications change: the header
  shows how many are unread.

The view's own permission checks run on every request, before the cache is read: callers read it only after them.
Never kept: anything but a GET answered 200 without cookies of its own, a request with messages waiting (they
are shown once), a request without a CSRF cookie yet (the page would carry a token whose cookie the browser never
receives). Writes that send no signal (QuerySet.update, bulk_create) call `bump()` where a staff page shows them;
TIMEOUT bounds what one that does neither could leave stale.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from . import versioned
from .replica import primary_reads

NAME = "staff"
TIMEOUT = 300
# Rows no staff page shows, or that change all day on their own (the public's votes and visits, sign-in records).
UNWATCHED_APPS = {"sessions", "admin", "contenttypes", "axes", "otp_totp", "otp_static", "django_otp"}
UNWATCHED_MODELS = {"portal.securityevent", "public.vote", "public.dailyvisit", "public.counterbatch"}
SIGN_IN_FIELDS = {"last_login"}


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None:
        return False
    return meta.app_label not in UNWATCHED_APPS and meta.label_lower not in UNWATCHED_MODELS


def _bump_now() -> None:
    versioned.bump_key(versioned._version_key(NAME))


def _changed(sender, update_fields=None, **kwargs) -> None:
    # A sign-in saves the user's last_login alone: no staff page shows it, and every sign-in would drop every page.
    if _watched(sender) and not (update_fields and set(update_fields) <= SIGN_IN_FIELDS):
        versioned.bump_on_commit(NAME, _bump_now)


def connect() -> None:
    """Bump the staff version on every watched save, delete and many-to-many change (portal.apps)."""
    post_save.connect(_changed, weak=False, dispatch_uid="portal.staffcache.save")
    post_delete.connect(_changed, weak=False, dispatch_uid="portal.staffcache.delete")
    m2m_changed.connect(_changed, weak=False, dispatch_uid="portal.staffcache.m2m")


def bump() -> None:
    """Make every kept staff page stale when the current transaction commits (for writes that send no signal)."""
    versioned.bump_on_commit(NAME, _bump_now)


def permissions(user, build) -> tuple:
    """The user's (own, from groups) permission names: `build()`'s, kept until the staff version changes (a change
    to the user, their groups or any group's permissions bumps it)."""
    return versioned.cached(NAME, f"portal:perms:{user.pk}:{int(user.is_superuser)}", build, TIMEOUT)


def user_key(user_id: int) -> str:
    """The user's mark: dropping it (portal.notify, when their notifications change) makes their pages stale."""
    return f"portal:staffpage:user:{user_id}"


def _messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    # Looking does not mark them used: they stay for the page that is built instead.
    return bool(storage._queued_messages) or bool(storage._loaded_messages)


def _page_key(request) -> str | None:
    """The page's key, or None when this request's page must not be kept."""
    user = getattr(request, "user", None)
    secret = request.META.get("CSRF_COOKIE")
    if request.method != "GET" or not secret or user is None or not user.is_authenticated:
        return None
    if _messages_waiting(request):
        return None
    session = hashlib.sha256(secret.encode()).hexdigest()[:16]
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:24]
    return f"portal:staffpage:{user.pk}:{session}:{timezone.localdate().isoformat()}:{path}"


def page(request, build) -> HttpResponse:
    """The response `build()` makes for this request, kept for the user's session until the staff version changes.
    Call it after the view's permission checks."""
    key = _page_key(request)
    if key is None or versioned.dirty(NAME):
        return build()
    version_key, mark_key = versioned._version_key(NAME), user_key(request.user.pk)
    found = cache.get_many([version_key, versioned.fresh_key(version_key), mark_key, key])
    version, mark, stored = found.get(version_key), found.get(mark_key), found.get(key)
    if stored is not None and version is not None and mark is not None and stored[0] == (version, mark):
        get_token(request)  # as rendering the form token would: the CSRF cookie's expiry is renewed
        return HttpResponse(stored[2], content_type=stored[1])
    if version is None:
        version = versioned.version(NAME)
    if mark is None:  # made before the page is built: a change while it is built drops it, and the page is not used
        cache.add(mark_key, versioned.new_version(), None)
        mark = cache.get(mark_key)
    with primary_reads(versioned.fresh_key(version_key) in found):
        response = build()
        if hasattr(response, "render"):
            response.render()
    # The CSRF cookie aside (the admin's csrf_protect sets it on the view's own response), a cookie set by the
    # view belongs to that one response.
    own_cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
    if response.status_code == 200 and not own_cookies and not response.streaming and None not in (version, mark):
        cache.set(key, ((version, mark), response["Content-Type"], response.content), TIMEOUT)
    return response
