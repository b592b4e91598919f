"""The public pages' HTML as assistive technology reads it: no id twice on a page, every search landmark with its own
name, headings that never skip a level. A walk of the main public pages over the whole demo, parsed with the
standard library (no browser needed; tests/public/test_public_browser.py runs axe-core on top)."""

from collections import Counter
from html.parser import HTMLParser

import pytest

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Outline(HTMLParser):
    """Ids, headings and search landmarks of a page, and whether an element sits inside the sidebar."""

    def __init__(self):
        super().__init__()
        self.ids = []
        self.headings = []  # (level, text)
        self.searches = []  # accessible names of role=search / <search>
        self._heading = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = int(tag[1])
            self._text = []
        if attrs.get("role") == "search" or tag == "search":
            self.searches.append(attrs.get("aria-label") or attrs.get("aria-labelledby") or "")

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._text.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def skipped_levels(headings) -> list:
    """Headings deeper than one below the one before them (an h3 right after an h1); the first must be an h1 or h2."""
    found = []
    previous = 1
    for level, text in headings:
        if level > previous + 1:
            found.append(f"h{previous} → h{level} «{text}»")
        previous = level
    return found


@pytest.fixture
def full_demo(whole_demo_for_module, db, reader):
    return reader


def main_public_pages():
    from cooperatives.models import Cooperative
    from directives.models import Document
    from public.models import Article, Category, Page, Tag
    from public.selectors import sidebar_data

    article = Article.objects.published().order_by("-publish_at").first()
    pages = [
        "/",
        "/tin-tuc/",
        article.get_absolute_url(),
        Category.objects.first().get_absolute_url(),
        "/van-ban/",
        Document.objects.filter(is_public=True).first().get_absolute_url(),
        "/hop-tac-xa/",
        "/hop-tac-xa/thong-ke/",
        Cooperative.objects.first().get_absolute_url(),
        "/quy-ho-tro/",
        "/tham-do/",
        sidebar_data()["poll"].get_absolute_url(),  # the poll the sidebar shows too
        "/tim-kiem/?q=hop+tac+xa",
        "/lien-he/",
        "/gioi-thieu/",
    ]
    tag = Tag.objects.first()
    if tag:
        pages.append(tag.get_absolute_url())
    page = Page.objects.published().first()
    if page:
        pages.append(page.get_absolute_url())
    return pages


def walk(client):
    for path in main_public_pages():
        response = client.get(path)
        assert response.status_code == 200, path
        yield path, outline(response.content.decode())


def test_no_id_appears_twice_on_any_main_public_page(full_demo):
    found = {}
    for path, page in walk(full_demo):
        twice = sorted(i for i, n in Counter(page.ids).items() if n > 1)
        if twice:
            found[path] = twice
    assert not found


def test_a_polls_own_page_does_not_repeat_it_in_the_sidebar(full_demo):
    from public.selectors import sidebar_data

    poll = sidebar_data()["poll"]
    html = full_demo.get(poll.get_absolute_url()).content.decode()
    assert html.count('class="poll-form"') == 1
    assert 'id="tieu-de-tham-do"' not in html
    assert 'id="tieu-de-tham-do"' in full_demo.get("/tin-tuc/").content.decode()  # elsewhere the sidebar has it


def test_every_search_form_on_a_page_has_its_own_name(full_demo):
    found = {}
    for path, page in walk(full_demo):
        names = page.searches
        if "" in names or len(set(names)) != len(names):
            found[path] = names
    assert not found


def test_heading_levels_never_skip_on_the_main_public_pages(full_demo):
    found = {}
    for path, page in walk(full_demo):
        skipped = skipped_levels(page.headings)
        if skipped:
            found[path] = skipped
    assert not found


def test_the_font_buttons_say_which_size_is_on(full_demo):
    html = full_demo.get("/tin-tuc/").content.decode()
    assert 'data-font="reset" title="Cỡ chữ mặc định" aria-pressed="true"' in html
    assert 'data-font="up" title="Tăng cỡ chữ" aria-pressed="false"' in html
    full_demo.cookies["htx_font"] = "xlarge"
    html = full_demo.get("/tin-tuc/").content.decode()
    assert 'data-font="up" title="Tăng cỡ chữ" aria-pressed="true"' in html
    assert 'data-font="reset" title="Cỡ chữ mặc định" aria-pressed="false"' in html


def test_the_favicon_answers_at_the_root_and_is_linked_from_every_page(full_demo):
    response = full_demo.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    html = full_demo.get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
