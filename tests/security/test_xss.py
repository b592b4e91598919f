"""Rich text against a list of XSS payloads, checked on the rendered pages, not only in the cleaner.

Bodies are written both through save() (cleaned on save) and straight into the table with update() (as an old row
or a bulk import would), so the display-time cleaning is tested on its own. Plain-text fields (title, lead, the
search box) are checked to come out escaped on the page and in the RSS feed.
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from portal.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, clean_html
from public.models import Article, Page
from tests.public.factories import ArticleFactory, PageFactory

pytestmark = pytest.mark.security

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<img src='data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+'>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<a href="javascript:alert(1)">bấm</a>',
    '<a href="JaVaScRiPt:alert(1)">bấm</a>',
    '<a href="jav&#x09;ascript:alert(1)">bấm</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">bấm</a>',
    '<a href=" \x01javascript:alert(1)">bấm</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">bấm</a>',
    '<a href="vbscript:msgbox(1)">bấm</a>',
    '<a href="https://ok.example" onclick="alert(1)" onmouseover=alert(1)>bấm</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width:expression(alert(1))">x</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name=password><button>Gửi</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<!--<img src=--><img src=x onerror=alert(1)//>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<td background="javascript:alert(1)">x</td>',
    '"><script>alert(1)</script>',
    '<p>Bình thường <strong>đậm</strong> <a href="https://htx.example.vn/">liên kết</a></p>',
]
DANGEROUS_SCHEME = re.compile(r"^(?!(?:{}):)[a-z][a-z0-9+.-]*:".format("|".join(URL_SCHEMES)), re.I)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_harmless(fragment: str):
    """Only allowed tags and attributes, no event handlers, no URL with a scheme we do not allow."""
    parser = _Collector()
    parser.feed(fragment)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {fragment!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name} survived in {fragment!r}"
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, f"{tag}[{name}] survived in {fragment!r}"
            if name in ("href", "src"):
                squeezed = re.sub(r"[\x00-\x20]", "", html.unescape(value or ""))
                assert not DANGEROUS_SCHEME.match(squeezed), f"{name}={value!r} survived in {fragment!r}"
    assert "<script" not in fragment.lower()


def body_of(page: str) -> str:
    match = re.search(r'<div class="article-body">(.*?)</div>\s*(?:<|$)', page, re.S)
    assert match, "article body not found"
    return match.group(1)


def assert_no_inline_script(page: str):
    """Every <script> on the page is one of our static files (the CSP allows no inline script anyway)."""
    for tag in re.findall(r"<script\b[^>]*>", page, re.I):
        assert re.search(r'src="/static/', tag), f"unexpected script tag {tag}"
    parser = _Collector()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert not [name for name, _value in attrs if name.startswith("on")], f"an event handler on <{tag}>"
        assert tag not in {"iframe", "object", "embed", "base", "svg", "math"}, f"<{tag}> reached the page"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_cleaner_lets_no_payload_through(payload):
    assert_harmless(clean_html(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_article_body_with_a_payload_renders_harmless(payload, client, db):
    saved = ArticleFactory(body=payload)  # cleaned on save
    raw = ArticleFactory()
    Article.objects.filter(pk=raw.pk).update(body=payload)  # as an old row or a bulk load would leave it
    for article in (saved, raw):
        for url in (article.get_absolute_url(), f"{article.get_absolute_url()}ban-in/"):
            page = client.get(url).content.decode()
            assert_harmless(body_of(page))
            assert_no_inline_script(page)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_page_body_with_a_payload_renders_harmless(payload, client, db):
    page_obj = PageFactory(body="x")
    Page.objects.filter(pk=page_obj.pk).update(body=payload)
    page = client.get(f"/trang/{page_obj.slug}/").content.decode()
    assert_harmless(body_of(page))
    assert_no_inline_script(page)


@pytest.mark.parametrize("payload", PAYLOADS[:12])
def test_payloads_in_plain_text_fields_come_out_escaped(payload, client, db):
    article = ArticleFactory(title=f"Tin {payload}", lead=f"Tóm tắt {payload}", cover_alt=payload)
    for url in (article.get_absolute_url(), "/tin-tuc/", f"/tim-kiem/?q={quote(payload)}", "/tim-kiem/?q=Tin"):
        page = client.get(url).content.decode()
        assert_no_inline_script(page)
        assert payload not in page


@pytest.mark.parametrize("payload", PAYLOADS[:12])
def test_the_rss_feed_gives_readers_the_lead_as_text_not_markup(payload, client, db):
    ArticleFactory(title="Tin", lead=f"Tóm tắt {payload}")
    xml = client.get("/rss/").content.decode()
    description = re.search(r"<description>Tóm tắt (.*?)</description>", xml, re.S).group(1)
    # A reader unescapes the XML once and renders the result as HTML: that must still be text.
    assert "<" not in html.unescape(description)
