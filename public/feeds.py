"""RSS 2.0 feeds: the latest news, and one per category (django.contrib.syndication)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape

from portal.models import SiteSettings
from portal.siteurl import SiteRequest

from .models import Article, Category

ITEMS = 20


class LatestNewsFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "vi"
    link = "/tin-tuc/"

    def get_feed(self, obj, request):
        # Links on the configured site (portal.siteurl), not on the Host header the request came with.
        return super().get_feed(obj, SiteRequest(request))

    def title(self):
        return f"Tin tức - {SiteSettings.current().org_name}"

    def description(self):
        return f"Tin mới nhất của {SiteSettings.current().org_name}"

    def items(self):
        return Article.objects.published().for_listing().order_by("-publish_at")[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Readers render <description> as HTML; the lead is plain text, so escape it (the XML escapes it again).
        return escape(item.lead)

    def item_pubdate(self, item):
        return item.publish_at

    def item_categories(self, item):
        return [item.category.name]

    def item_author_name(self, item):
        return item.source or None


class CategoryFeed(LatestNewsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"{obj.name} - {SiteSettings.current().org_name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"Tin mới trong chuyên mục {obj.name}"

    def items(self, obj):
        return Article.objects.published().for_listing().filter(category=obj).order_by("-publish_at")[:ITEMS]
