"""Absolute links come from settings.PORTAL_SITE_URL, never from the Host header a request came with."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from tests.conftest import BROWSER_UA

from .factories import ArticleFactory, CategoryFactory

SITE = "https://htx.example.vn"
HOSTILE = "127.0.0.1:6666"  # an allowed name, with a port of the visitor's choosing
LINK = re.compile(r'(?:href|content|src)="(https?://[^"/]+)')


@pytest.fixture
def site(settings):
    settings.PORTAL_SITE_URL = SITE
    return SITE


def _hosts(html: str) -> set:
    return set(LINK.findall(html)) - {"https://www.facebook.com", "https://zalo.me", "http://www.w3.org"}


@pytest.mark.parametrize("path", ["/", "/tin-tuc/", "/tin-tuc/?page=2", "ARTICLE", "/van-ban/", "/hop-tac-xa/"])
def test_a_hostile_host_header_puts_no_link_in_the_page_nor_in_the_page_cached_for_later_readers(db, site, path):
    article = ArticleFactory.create_batch(12)[0]
    path = article.get_absolute_url() if path == "ARTICLE" else path
    hostile = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=HOSTILE).get(path)
    later = Client(HTTP_USER_AGENT=BROWSER_UA).get(path)
    assert hostile.status_code == later.status_code == 200
    for response in (hostile, later):
        html = response.content.decode()
        assert "6666" not in html and "testserver" not in html
        assert _hosts(html) <= {SITE}
        assert f'<link rel="canonical" href="{SITE}/' in html


def test_the_canonical_link_names_the_list_page_shown_and_nothing_else(db, site, reader):
    ArticleFactory.create_batch(12)
    html = reader.get("/tin-tuc/?page=2&utm_source=x").content.decode()
    assert f'<link rel="canonical" href="{SITE}/tin-tuc/?page=2">' in html
    assert f'<meta property="og:url" content="{SITE}/tin-tuc/?page=2">' in html
    # Past the last page the view shows the last page; the first page has no number.
    assert f'href="{SITE}/tin-tuc/?page=2"' in reader.get("/tin-tuc/?page=99").content.decode()
    assert f'<link rel="canonical" href="{SITE}/tin-tuc/">' in reader.get("/tin-tuc/?page=abc").content.decode()


def test_an_article_shares_and_mails_its_address_on_the_configured_site(db, site):
    article = ArticleFactory()
    html = Client(HTTP_USER_AGENT=BROWSER_UA, HTTP_HOST=HOSTILE).get(article.get_absolute_url()).content.decode()
    quoted = f"https%3A%2F%2Fhtx.example.vn{article.get_absolute_url().replace('/', '%2F')}"
    assert html.count(quoted) == 3  # Facebook, Zalo, e-mail
    assert f'<meta property="og:url" content="{SITE}{article.get_absolute_url()}">' in html
    printed = Client(HTTP_HOST=HOSTILE).get(article.get_absolute_url() + "ban-in/").content.decode()
    assert "6666" not in printed and f"{SITE}{article.get_absolute_url()}" in printed


def test_feeds_sitemap_and_robots_txt_link_to_the_configured_site(db, demo, site):
    category = CategoryFactory()
    ArticleFactory(category=category)
    client = Client(HTTP_HOST=HOSTILE, secure=False)
    for path in ("/rss/", f"/rss/{category.slug}/", "/sitemap.xml", "/robots.txt"):
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert "6666" not in body and "http://127.0.0.1" not in body, path
        assert SITE in body, path
    assert f"<link>{SITE}/tin-tuc/</link>" in client.get("/rss/").content.decode()
    assert f"<loc>{SITE}/</loc>" in client.get("/sitemap.xml").content.decode()


def test_without_a_setting_links_use_the_development_server(db, settings, reader):
    settings.PORTAL_SITE_URL = ""
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in reader.get("/").content.decode()


@pytest.mark.parametrize(
    ("value", "warning"),
    [("", "portal.W001"), ("http://htx.example.vn", "portal.W002"), ("https://htx.example.vn/cong", "portal.W002"),
     ("htx.example.vn", "portal.W002"), ("https://htx.example.vn", None)],
)  # fmt: skip
def test_check_deploy_warns_when_the_site_url_is_unset_or_not_https(settings, value, warning):
    settings.PORTAL_SITE_URL = value
    from portal.checks import site_url_check

    ids = [message.id for message in site_url_check(None)]
    assert ids == ([warning] if warning else [])
    if warning:
        with pytest.raises(SystemCheckError, match=warning):
            call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")
