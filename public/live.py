"""The parts of a cached public page filled in on every hit (portal.pagecache): visit statistics, view counts."""

import time
from functools import lru_cache

from django.template.loader import render_to_string

from portal.formatting import group_thousands
from portal.pagecache import LOCAL_SECONDS

from .counters import article_read, article_view_total, is_bot, visit_stats

_stats_memo = {"until": 0.0, "html": ""}
_views_memo: dict = {}  # article id -> (until, total): what a read that counts nothing shows
MEMO_MAX_ARTICLES = 1024


def visit_stats_part(request, arg) -> str:
    """The visit statistics box, shared by every cached page a process serves within a second (the counts move by
    a handful a second; reading and rendering them for each request cost a cache round trip and a template)."""
    now = time.monotonic()
    if now >= _stats_memo["until"]:
        html = render_to_string("public/includes/visit_stats.html", {"stats": visit_stats()})
        _stats_memo.update(until=now + LOCAL_SECONDS, html=html)
    return _stats_memo["html"]


def article_views_part(request, arg) -> str:
    """Counts this read and this visit (as public.views.article_detail and VisitCounterMiddleware do on a miss), in
    one round trip, and shows the live total. A read that counts nothing (a crawler, a tool) is shown the total
    this process read within the last second, as the visit statistics are, and costs no round trip."""
    article_id = int(arg)
    if is_bot(request):
        now = time.monotonic()
        memo = _views_memo.get(article_id)
        if memo is None or memo[0] <= now:
            if len(_views_memo) >= MEMO_MAX_ARTICLES:
                _views_memo.clear()
            memo = _views_memo[article_id] = (now + LOCAL_SECONDS, article_view_total(article_id, count=False))
        return _view_count_html(memo[1])
    return _view_count_html(article_read(request, article_id))


VIEW_COUNT_TEMPLATE = "public/includes/view_count.html"
_SAMPLE = 987654321


@lru_cache(maxsize=1)
def _view_count_frame() -> list[str]:
    """The view count's HTML around its figure, rendered once: the figure changes with every read."""
    return render_to_string(VIEW_COUNT_TEMPLATE, {"view_total": _SAMPLE}).split(group_thousands(_SAMPLE))


def _view_count_html(total: int) -> str:
    frame = _view_count_frame()
    if len(frame) != 2:  # the template shows the figure other than once: render it
        return render_to_string(VIEW_COUNT_TEMPLATE, {"view_total": total})
    return f"{frame[0]}{group_thousands(total)}{frame[1]}"


def forget() -> None:
    _stats_memo["until"] = 0.0
    _views_memo.clear()
