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
"""

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from .contentcache import cache_ttl, content_version

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


def anonymous_page(view=None, *, vary=None):
    """Serve `view`'s page to anonymous readers from the cache while content is unchanged.

    `vary(request, *args, **kwargs)`, when given, returns a string that also keys the page (one cheap read per
    request), for pages that change without a save: the news lists name their newest visible article, so a
    scheduled article appears by itself."""
    if view is None:
        return lambda view: anonymous_page(view, vary=vary)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _servable(request):
            return view(request, *args, **kwargs)
        cookies = [request.COOKIES.get(name, "") for name in VARY_COOKIES]
        extra = vary(request, *args, **kwargs) if vary else ""
        digest = hashlib.sha1(repr((request.get_full_path(), cookies, extra)).encode()).hexdigest()
        key = f"portal:page:v{content_version()}:{digest}"
        entry = _local_get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is not None:
                _local_put(key, entry)
        if entry is not None:
            return HttpResponse(_fill(request, entry["parts"]), content_type=entry["content_type"])
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
