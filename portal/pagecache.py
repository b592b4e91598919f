"""Whole public pages cached for anonymous readers, keyed on the content version (portal.contentcache).

Caching the data behind a page (public.selectors) still left 3-5 ms of template rendering per request, against
0.75 ms for a bare Django view. So `anonymous_page` keeps the rendered HTML of a page too, under the same content
version and expiry as the home page's data, with the few parts that differ per request cut out and filled in on
every hit:

- the CSRF token of the sidebar's poll form (`name="csrfmiddlewaretoken" value="..."`): this reader's own token,
  so voting works and the CSRF cookie is still set;
- what sits between `<!--live:NAME[:ID]-->` and `<!--/live:NAME-->` markers, rendered by LIVE[NAME]: the apps
  register these parts (`live_part`); the public site's are the visit statistics (public/includes/sidebar.html)
  and an article's view count, which also counts the read.

Only anonymous readers with no session or messages cookie are served from it; anything else (a signed-in user,
a pending "thank you" message, a POST, a non-200 answer) goes through the view as before.

A page is keyed on its path and on only the query parameters it understands, normalised (`query=`, declared by
each view with `understands`): parameters it does not read are dropped, and the view itself is then given only
the normalised ones, so what it renders is what the key names. A request whose parameters could make the page
one of an unbounded number (free text, a value a filter refuses, a list page past CACHED_PAGES) goes through the
view uncached. Random parameters thus cannot fill the cache. The page must not depend on the Host header either:
absolute links come from settings.PORTAL_SITE_URL (portal.siteurl).

A page is built, on a miss, with reads on the primary while the content version is fresh (bumped less than
PORTAL_REPLICA_PIN_SECONDS ago), and is neither served from nor stored in the cache inside a transaction that has
changed public content and not committed (portal.contentcache, portal.versioned).
"""

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token

from .contentcache import cache_ttl, content_state, dirty
from .replica import primary_reads

_LIVE = re.compile(r'<!--live:([a-z-]+)(?::(\d+))?-->.*?<!--/live:\1-->|name="csrfmiddlewaretoken" value="[^"]*"', re.S)


def _servable(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and not request.user.is_authenticated
    )


def _csrf(request, arg) -> str:
    return f'name="csrfmiddlewaretoken" value="{get_token(request)}"'


LIVE = {"csrf": _csrf}


def live_part(name: str, render) -> None:
    """Register `render(request, arg) -> html` for the page part marked `<!--live:NAME[:ARG]-->`."""
    LIVE[name] = render


def _parts(html: str) -> list:
    """The page cut at its live parts: str items are fixed HTML, (name, arg) tuples are filled in per request."""
    parts, start = [], 0
    for match in _LIVE.finditer(html):
        parts.append(html[start : match.start()])
        parts.append((match.group(1) or "csrf", match.group(2)))
        start = match.end()
    parts.append(html[start:])
    return parts


def _fill(request, parts: list) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        name, arg = part
        html = LIVE[name](request, arg)
        out.append(html if name == "csrf" else f"<!--live:{name}{':' + arg if arg else ''}-->{html}<!--/live:{name}-->")
    return "".join(out)


VARY_COOKIES = ("htx_font", "htx_contrast")  # the reader's display settings, rendered on <html>

# Each process also keeps the pages it served in the last second, under the same key (which names the content
# version): a busy page then costs no cache round trip and no unpickling of its HTML. It is no staler than the
# content version, which each process already remembers for a second (selectors.VERSION_MEMO_SECONDS).
LOCAL_SECONDS = 1.0
LOCAL_MAX_PAGES = 256
_local: dict = {}


def _local_get(key: str):
    hit = _local.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return None


def _local_put(key: str, entry: dict) -> None:
    if len(_local) >= LOCAL_MAX_PAGES:
        _local.clear()  # a burst of distinct pages (a crawler): start again rather than track ages
    _local[key] = (time.monotonic() + LOCAL_SECONDS, entry)


def forget_local_pages() -> None:
    """Drop this process's copies (tests, after clearing the cache)."""
    _local.clear()


# List pages past this number are rendered for each request, not cached: a reader rarely goes so deep, and any
# number is a page (past the last one, Paginator.get_page shows the last). A list that can say how many pages it
# has (`understands(last_page=...)`) is cached to its last page: a number past it is keyed as the last page, so
# the entries stay bounded by the list's real length.
CACHED_PAGES = 20
_FIRST, _LAST = "", "0"


def _page_number(value, last: int | None = None) -> str | None:
    """`?page=value` as the key names it: the page Paginator.get_page shows for it ("" for the first page, "0" for
    the last, which numbers below one and past `last` show), or None past CACHED_PAGES when `last` is unknown."""
    try:
        number = int(value)  # as Paginator.validate_number reads it: " 2", "+2", "٢" are page 2
    except (TypeError, ValueError):
        return _FIRST
    if number < 1:
        return _LAST
    if number == 1:
        return _FIRST
    if last is not None:
        return str(number) if number <= last else _LAST
    return str(number) if number <= CACHED_PAGES else None


def _form_value(value) -> str:
    return str(value.pk) if isinstance(value, Model) else str(value)


def understands(*, page: bool = False, form=None, free_text: tuple = (), last_page=None):
    """What a cached page reads from its query string, for `anonymous_page(query=...)`.

    `page`: the list's page number (`page`). `form(data)`: the form (or a filterset's form) the view reads its
    filters with; a request it finds invalid goes through the view uncached, and each field is keyed on its
    cleaned value (empty values dropped). `free_text`: fields whose any value is a page of its own (search words):
    a request with one goes through uncached. `last_page(request)`: the list's number of pages, read cheaply (a
    cached count), so that every page of it is cached, not only the first CACHED_PAGES. Every other parameter is
    ignored, by the key and by the view."""

    def read(request) -> dict | None:
        params = {}
        if page:
            number = _page_number(request.GET.get("page"))
            if number is None and last_page is not None:  # past CACHED_PAGES: is it a page of the list?
                number = _page_number(request.GET.get("page"), max(last_page(request), 1))
            if number is None:
                return None
            if number:
                params["page"] = number
        if form is not None:
            bound = form(request.GET)
            if not bound.is_valid():
                return None
            for name in bound.fields:
                value = bound.cleaned_data.get(name)
                if value in (None, "", [], ()):
                    continue
                if name in free_text:
                    return None
                params[name] = _form_value(value)
        return params

    return read


def _nothing(request) -> dict:
    return {}


NOTHING = _nothing  # a page that reads no query parameter


def anonymous_page(view=None, *, query=None, vary=None):
    """Serve `view`'s page to anonymous readers from the cache while content is unchanged.

    `query(request)` (see `understands`; NOTHING for a page that reads none) returns the query parameters the page
    understands, normalised, or None when the request must go through the view uncached: they key the page, and
    the view sees only them. `vary(request, *args, **kwargs)`, when given, returns a string that also keys the
    page (one cheap read per request), for pages that change without a save: the news lists name their newest
    visible article, so a scheduled article appears by itself."""
    if query is None:
        raise TypeError("anonymous_page needs query=: the query parameters the page understands (NOTHING if none).")
    if view is None:
        return lambda view: anonymous_page(view, query=query, vary=vary)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _servable(request) or dirty():
            return view(request, *args, **kwargs)
        params = query(request)
        if params is None:
            return view(request, *args, **kwargs)
        normalised = QueryDict(mutable=True)
        normalised.update(params)
        normalised._mutable = False
        request.GET = normalised  # the view renders what the key names, nothing it was not given
        cookies = [request.COOKIES.get(name, "") for name in VARY_COOKIES]
        extra = vary(request, *args, **kwargs) if vary else ""
        digest = hashlib.sha1(repr((request.path, sorted(params.items()), cookies, extra)).encode()).hexdigest()
        version, fresh = content_state()
        key = f"portal:page:v{version}:{digest}"
        entry = _local_get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is not None:
                _local_put(key, entry)
        if entry is not None:
            return HttpResponse(_fill(request, entry["parts"]), content_type=entry["content_type"])
        with primary_reads(fresh):  # just after a bump, the replica may not have the rows yet
            response = view(request, *args, **kwargs)
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html") and not response.cookies:
            if not getattr(response, "streaming", False):
                parts = _parts(response.content.decode(response.charset))
                entry = {"parts": parts, "content_type": content_type}
                cache.set(key, entry, cache_ttl())
                _local_put(key, entry)
        return response

    return wrapper
