"""Reads for the public pages: the home page and the sidebar, cached for anonymous visitors.

Cached data is keyed on the content version (portal.contentcache) that any change to news, documents, cooperatives,
polls, links or pages bumps, and expires no later than the next scheduled article's publish time (`next_scheduled`,
registered in PublicConfig.ready), so a scheduled article appears by itself.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from cooperatives.models import Cooperative
from cooperatives.selectors import HTX_AND_UNIONS, registry_as_of
from directives.models import Document
from portal.contentcache import HOME_TTL, cached, content_version

from .counters import visit_stats
from .models import Article, Category, Poll, WebLink

PER_CATEGORY = 4


def next_scheduled(now):
    """When the next scheduled article appears (None if none is waiting): public caches live until then.

    Cached under the content version (scheduling an article saves it, which bumps the version), so the many reads
    cached on a cold start cost one query for it, not one each."""
    key = f"portal:next-scheduled:v{content_version()}"
    upcoming = cache.get(key)
    if upcoming is None or (upcoming and upcoming <= now):
        upcoming = Article.objects.next_publish_at(now) or False  # False: nothing scheduled (None: not cached)
        cache.set(key, upcoming, HOME_TTL)
    return upcoming or None


# The news lists are keyed on their newest visible article, which changes only by a save (a new content version)
# or by the clock reaching a scheduled article's time: each process remembers it until either, so a news list
# served from the cache costs no query.
_newest = {"version": None, "until": None, "value": ""}


def newest_visible_article_id() -> str:
    now = timezone.now()
    version = content_version()
    if _newest["version"] == version and _newest["until"] is not None and now < _newest["until"]:
        return _newest["value"]
    visible = Article.objects.published().order_by("-publish_at", "-pk").values_list("pk", flat=True).first()
    upcoming = Article.objects.next_publish_at(now)
    horizon = now + timedelta(seconds=HOME_TTL)
    _newest.update(version=version, value=str(visible), until=min(upcoming, horizon) if upcoming else horizon)
    return _newest["value"]


def forget_newest() -> None:
    _newest["until"] = None


def home_data(*, use_cache: bool = True) -> dict:
    return cached("home", _build_home, use_cache=use_cache)


def _build_home() -> dict:
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
            "htx": registry.count(kinds=HTX_AND_UNIONS, district_id=district_id, code=code),
            "tht": registry.count(kinds=[Cooperative.Kind.GROUP], district_id=district_id, code=code),
        }
        for district_id, code, name in registry.districts()
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
    now = now or timezone.now()
    return (
        Poll.objects.filter(show_on_home=True, opens_at__lte=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("-opens_at")
        .first()
    )


def _build_sidebar() -> dict:
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
