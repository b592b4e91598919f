"""The parts of a cached public page filled in on every hit (portal.pagecache): visit statistics, view counts."""

import time

from django.template.loader import render_to_string

from portal.pagecache import LOCAL_SECONDS

from .counters import article_view_total, is_bot, visit_stats

_stats_memo = {"until": 0.0, "html": ""}


def visit_stats_part(request, arg) -> str:
    """The visit statistics box, shared by every cached page a process serves within a second (the counts move by
    a handful a second; reading and rendering them for each request cost a cache round trip and a template)."""
    now = time.monotonic()
    if now >= _stats_memo["until"]:
        html = render_to_string("public/includes/visit_stats.html", {"stats": visit_stats()})
        _stats_memo.update(until=now + LOCAL_SECONDS, html=html)
    return _stats_memo["html"]


def article_views_part(request, arg) -> str:
    """Counts this read (as public.views.article_detail does on a miss) and shows the live total."""
    total = article_view_total(int(arg), count=not is_bot(request))
    return render_to_string("public/includes/view_count.html", {"view_total": total})


def forget() -> None:
    _stats_memo["until"] = 0.0
