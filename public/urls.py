"""The public site's routes (news, pages, polls, search, feeds)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import editor_views, feeds, views
from .sitemaps import SITEMAPS

app_name = "public"

urlpatterns = [
    path("tin-tuc/", views.article_list, name="article_list"),
    path("tin-tuc/chuyen-muc/<slug:slug>/", views.category_detail, name="category"),
    path("tin-tuc/tu-khoa/<slug:slug>/", views.tag_detail, name="tag"),
    path("tin-tuc/<slug:slug>/", views.article_detail, name="article"),
    path("tin-tuc/<slug:slug>/ban-in/", views.article_print, name="article_print"),
    path("tin-tuc/<slug:slug>/pdf/", views.article_pdf, name="article_pdf"),
    path("gioi-thieu/", views.about, name="about"),
    path("lien-he/", views.contact, name="contact"),
    path("trang/<slug:slug>/", views.page_detail, name="page"),
    path("tham-do/", views.poll_list, name="poll_list"),
    path("tham-do/<slug:slug>/", views.poll_detail, name="poll"),
    path("tham-do/<slug:slug>/binh-chon/", views.poll_vote, name="poll_vote"),
    path("tim-kiem/", views.search, name="search"),
    path("lam-viec/bien-tap/", editor_views.editor_home, name="editor_home"),
    path("rss/", feeds.LatestNewsFeed(), name="rss"),
    path("rss/<slug:slug>/", feeds.CategoryFeed(), name="rss_category"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
