"""/sitemap.xml: published content only (articles whose time has come, public pages and documents, cooperatives)."""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap

from cooperatives.models import Cooperative
from directives.models import Document
from portal.siteurl import site_url

from .models import Article, Category, Page


class Sitemap(DjangoSitemap):
    """URLs on the configured site (portal.siteurl), not on the Host header the request came with."""

    def get_protocol(self, protocol=None):
        return urlsplit(site_url()).scheme

    def get_domain(self, site=None):
        return urlsplit(site_url()).netloc


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        # The fund's conditions and the registry's statistics are public pages a search engine should find.
        return ["/", "/tin-tuc/", "/van-ban/", "/hop-tac-xa/", "/hop-tac-xa/thong-ke/", "/quy-ho-tro/", "/tham-do/"]

    def location(self, item):
        return item


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7
    limit = 1000

    def items(self):
        return Article.objects.published().only("slug", "updated_at", "publish_at").order_by("-publish_at")

    def lastmod(self, obj):
        return obj.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Category.objects.all()


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Page.objects.published()

    def lastmod(self, obj):
        return obj.updated_at


class DocumentSitemap(Sitemap):
    changefreq = "monthly"
    limit = 1000

    def items(self):
        return Document.objects.filter(is_public=True).only("slug", "issue_date").order_by("-issue_date", "pk")

    def lastmod(self, obj):
        return obj.issue_date


class CooperativeSitemap(Sitemap):
    changefreq = "monthly"
    limit = 1000

    def items(self):
        return Cooperative.objects.only("slug").order_by("pk")


SITEMAPS = {
    "static": StaticSitemap,
    "news": ArticleSitemap,
    "categories": CategorySitemap,
    "pages": PageSitemap,
    "documents": DocumentSitemap,
    "cooperatives": CooperativeSitemap,
}
