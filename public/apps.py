"""The public site: news, pages, polls, contact, web links, visit statistics and view counters, feeds, sitemaps,
the site search and the home page. It stands above the registry, the fund and directives, and reads them; none of
them reads it. Its own app because it is the one part of the portal that serves anonymous readers, with its own
caching, counters and admin desk (the editors'), and it was the bulk of what kept the kernel from standing alone."""

from django.apps import AppConfig

from portal.roles import ALL, ALLIANCE_STAFF, EDITOR, VIEW


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Trang thông tin công khai"
    # The alliance's staff and the editors run the public site alike.
    role_permissions = {
        role: [
            ("article", ALL),
            ("attachment", ALL),
            ("category", ALL),
            ("tag", ALL),
            ("page", ALL),
            ("poll", ALL),
            ("choice", ALL),
            ("weblinkgroup", ALL),
            ("weblink", ALL),
            ("contactmessage", ("change", "view")),
            ("dailyvisit", VIEW),
        ]  # fmt: skip
        for role in (ALLIANCE_STAFF, EDITOR)
    }

    def ready(self):
        from portal import contentcache, pagecache

        from . import live, selectors, views

        contentcache.watch(
            "public.Article", "public.Category", "public.Page", "public.Poll", "public.Choice", "public.WebLink",
            "public.WebLinkGroup", "public.Attachment", m2m=("public.Article.tags",),
        )  # fmt: skip
        from portal.extract_hooks import extract_on_upload

        from .models import Attachment

        extract_on_upload(Attachment, parent="article")  # found by the article's search
        contentcache.expires_at("scheduled-articles", selectors.next_scheduled)
        contentcache.remembers("newest-article", selectors.forget_newest)
        contentcache.remembers("visit-stats", live.forget)
        contentcache.remembers("news-pages", views.forget_news_pages)
        pagecache.live_part("visit-stats", live.visit_stats_part)
        pagecache.live_part("article-views", live.article_views_part)

        from portal import navigation as nav

        articles = nav.perm("public.change_article")
        nav.register(
            nav.Tool("editor_desk", "Bàn biên tập", "public:editor_home", articles, order=50),
            nav.Tool(
                "articles",
                "Tin bài (quản trị)",
                "admin:public_article_changelist",
                nav.staff_perm("public.view_article"),
                order=51,
            ),
        )
        nav.register_start_page(order=40, applies=articles, url_name="public:editor_home")
