"""Reads for the public pages: the home page and the sidebar, cached for anonymous visitors.

Cached data is keyed on a content version that any change to news, documents, cooperatives, polls, links or pages
bumps (portal.signals), and expires no later than the next scheduled article's publish time, so a scheduled
article appears by itself.
"""

import hashlib
import time
from datetime import timedelta

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import cached_property

from .counters import visit_stats

VERSION_KEY = "portal:content-version"
HOME_TTL = 300
PER_CATEGORY = 4


# Each process remembers the version for a second: a page served from the cache then costs one cache read, not
# two. Another process's bump is seen within VERSION_MEMO_SECONDS; this process's own bump at once.
VERSION_MEMO_SECONDS = 1.0
_memo = {"version": None, "until": 0.0}


def _new_version() -> int:
    # Microseconds: a version made after a cache flush is always above any version remembered before it.
    return int(timezone.now().timestamp() * 1_000_000)


def content_version() -> int:
    now = time.monotonic()
    if _memo["version"] is not None and now < _memo["until"]:
        return _memo["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _new_version()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    _memo.update(version=version, until=now + VERSION_MEMO_SECONDS)
    return version


def bump_content_version() -> None:
    _memo["until"] = 0.0
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _new_version(), None)


def cache_ttl() -> int:
    """Seconds a cached public read may live: HOME_TTL, or less when a scheduled article is due sooner.

    The next scheduled time is cached too, under the content version (scheduling an article saves it, which
    bumps the version), so the many reads cached on a cold start cost one query for it, not one each."""
    from .models import Article

    now = timezone.now()
    key = f"portal:next-scheduled:v{content_version()}"
    upcoming = cache.get(key)
    if upcoming is None or (upcoming and upcoming <= now):
        upcoming = Article.objects.next_publish_at(now) or False  # False: nothing scheduled (None: not cached)
        cache.set(key, upcoming, HOME_TTL)
    if not upcoming:
        return HOME_TTL
    return max(1, min(HOME_TTL, int((upcoming - now).total_seconds()) + 1))


# The news lists are keyed on their newest visible article, which changes only by a save (a new content version)
# or by the clock reaching a scheduled article's time: each process remembers it until either, so a news list
# served from the cache costs no query.
_newest = {"version": None, "until": None, "value": ""}


def newest_visible_article_id() -> str:
    from .models import Article

    now = timezone.now()
    version = content_version()
    if _newest["version"] == version and _newest["until"] is not None and now < _newest["until"]:
        return _newest["value"]
    visible = Article.objects.published().order_by("-publish_at", "-pk").values_list("pk", flat=True).first()
    upcoming = Article.objects.next_publish_at(now)
    horizon = now + timedelta(seconds=HOME_TTL)
    _newest.update(version=version, value=str(visible), until=min(upcoming, horizon) if upcoming else horizon)
    return _newest["value"]


def forget_local() -> None:
    """Drop what this process remembers of the cache (tests, after clearing it)."""
    _memo["until"] = 0.0
    _newest["until"] = None


def cached(name: str, build, *, use_cache: bool = True):
    """`build()`'s result, cached under `name` until content changes or the next scheduled article is due."""
    if not use_cache:
        return build()
    key = f"portal:{name}:v{content_version()}"
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, cache_ttl())
    return data


def query_key(params) -> str:
    """A short cache key for a public list's filters (the GET parameters but the page number)."""
    pairs = sorted((k, v) for k in params for v in params.getlist(k) if k != "page")
    return hashlib.sha1(repr(pairs).encode()).hexdigest()[:16]


class CachedCountPaginator(Paginator):
    """A Paginator whose total is cached with the content version: at scale the COUNT(*) of a public list
    (50,000 articles, 20,000 documents) cost more than reading the page itself. `count_key` names the list
    and its filters."""

    def __init__(self, object_list, per_page, *, count_key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return cached(f"count:{self.count_key}", lambda: Paginator.count.func(self))


def home_data(*, use_cache: bool = True) -> dict:
    return cached("home", _build_home, use_cache=use_cache)


def _build_home() -> dict:
    from cooperatives.models import Cooperative
    from cooperatives.selectors import HTX_AND_UNIONS, registry_as_of
    from directives.models import Document

    from .models import Article, Category

    now = timezone.now()
    published = Article.objects.published(now).for_listing()
    featured = published.order_by("-featured", "-publish_at").first()
    categories = list(Category.objects.filter(show_on_home=True))
    ranked = (
        published.filter(category__in=categories)
        .exclude(pk=featured.pk if featured else None)
        .annotate(row=Window(RowNumber(), partition_by=F("category_id"), order_by=F("publish_at").desc()))
        .filter(row__lte=PER_CATEGORY)
        .order_by("category_id", "-publish_at")
    )
    per_category = {c.pk: [] for c in categories}
    for article in ranked:
        per_category[article.category_id].append(article)
    sections = [{"category": c, "articles": per_category[c.pk]} for c in categories if per_category[c.pk]]
    documents = list(Document.objects.filter(is_public=True).order_by("-issue_date", "-pk")[:6])
    registry = registry_as_of(timezone.localdate())
    counts = [
        {
            "district": name,
            "htx": registry.count(kinds=HTX_AND_UNIONS, district_id=district_id),
            "tht": registry.count(kinds=[Cooperative.Kind.GROUP], district_id=district_id),
        }
        for district_id, _code, name in registry.districts()
    ]
    counts = [row for row in counts if row["htx"] or row["tht"]]
    return {
        "featured": featured,
        "sections": sections,
        "documents": documents,
        "coop_counts": counts,
        "coop_totals": {"htx": sum(r["htx"] for r in counts), "tht": sum(r["tht"] for r in counts)},
        "coop_on": registry.on,
    }


def sidebar_data(*, use_cache: bool = True) -> dict:
    data = cached("sidebar", _build_sidebar, use_cache=use_cache)
    return {**data, "stats": visit_stats()}


def current_poll(now=None):
    from .models import Poll

    now = now or timezone.now()
    return (
        Poll.objects.filter(show_on_home=True, opens_at__lte=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("-opens_at")
        .first()
    )


def _build_sidebar() -> dict:
    from .models import WebLink

    poll = current_poll()
    choices = list(poll.choices.all()) if poll else []
    links = list(WebLink.objects.filter(is_active=True).select_related("group"))
    return {"poll": poll, "choices": choices, "links": links}


def cached_article_context(slug: str, *, build, use_cache: bool) -> dict:
    """An article page's content, cached for anonymous readers until content changes (or the TTL runs out).

    The view count is never served from here: the view reads the stored count and the live buffer on every request.
    """
    if not use_cache:
        return build()
    key = f"portal:article:{slug}:v{content_version()}"
    ctx = cache.get(key)
    if ctx is None:
        ctx = build()  # a 404 raises here and is never cached
        cache.set(key, ctx, HOME_TTL)
    return ctx
