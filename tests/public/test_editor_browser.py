"""The news editor in Chromium, logged in as the demo's editor: every toolbar button shows its icon (served by us,
within the Content-Security-Policy) and a Vietnamese tooltip; every kind of formatting the toolbar offers survives
the sanitiser on save; the article appears on the public site; the preview shows the form's unsaved text."""

import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from public.models import Article
from tests.conftest import follow, login_in_browser

pytestmark = pytest.mark.browser

# Each visible button's tooltip (Trix.config.lang, set by static/js/portal-admin.js).
TOOLTIPS = {
    "bold": "Đậm",
    "italic": "Nghiêng",
    "strike": "Gạch ngang",
    "href": "Liên kết",
    "heading1": "Tiêu đề",
    "quote": "Trích dẫn",
    "code": "Mã",
    "bullet": "Danh sách",
    "number": "Danh sách số",
    "decreaseNestingLevel": "Giảm thụt lề",
    "increaseNestingLevel": "Tăng thụt lề",
    "undo": "Hoàn tác",
    "redo": "Làm lại",
}

# Reports every Content-Security-Policy violation of the page, from before its first script runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""

BUTTONS = """() => [...document.querySelectorAll("trix-toolbar button")]
  .filter((b) => b.offsetParent !== null).map((b) => ({
  key: b.dataset.trixAttribute || b.dataset.trixAction,
  title: b.title,
  image: getComputedStyle(b, "::before").backgroundImage,
}))"""


@pytest.fixture
def newsroom(transactional_db, live_server, settings):
    from portal import demo
    from public import demo as demo_content

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load(StringIO())
    demo_content.load(StringIO())
    return live_server


def _watch(page):
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH_CSP)
    return console


def _violations(page, console):
    return console + page.evaluate("window.__csp")


def _check_toolbar(page, origin):
    buttons = page.evaluate(BUTTONS)
    assert {b["key"]: b["title"] for b in buttons} == TOOLTIPS
    loaded = set(page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"))
    for button in buttons:
        match = re.fullmatch(r'url\("([^"]+)"\)', button["image"])
        assert match, f"{button['key']}: no icon ({button['image'][:80]})"
        url = match.group(1)
        assert url.startswith(f"{origin}/static/") and url.endswith(".svg"), url
        assert url in loaded, f"{button['key']}: {url} was never loaded"
        response = page.request.get(url)
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml"), url


def _select(page, text):
    """Selects `text` in the editor (found in its plain text) and keeps the focus there.

    Trix applies typed keys and reads the selection for its toolbar on the next animation frames, so the selection is
    taken after pending input has settled, and the toolbar is given its frames before the next click.
    """
    page.evaluate(
        """async (text) => {
          const frames = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          await frames();
          const element = document.querySelector("trix-editor");
          const start = element.editor.getDocument().toString().indexOf(text);
          if (start < 0) throw new Error("not in the editor: " + text);
          element.focus();
          element.editor.setSelectedRange([start, start + text.length]);
          await frames();
        }""",
        text,
    )


def _click(page, key):
    page.click(f'trix-toolbar button[data-trix-attribute="{key}"], trix-toolbar button[data-trix-action="{key}"]')


def _tags(html):
    return Counter(re.findall(r"<([a-z0-9]+)", html))


def test_the_toolbar_shows_our_icons_with_vietnamese_tooltips_and_no_csp_violation(
    newsroom, page, mobile_page, artifacts_dir
):
    for width, p in ((1280, page), (360, mobile_page)):
        console = _watch(p)
        if width == 1280:
            p.set_viewport_size({"width": 1280, "height": 900})
        login_in_browser(p, newsroom, "bientap")
        p.goto(newsroom.url + "/admin/public/article/add/")
        p.wait_for_selector("trix-toolbar .trix-button--icon-bold")
        p.wait_for_load_state("networkidle")
        _check_toolbar(p, newsroom.url)
        toolbar = p.locator("trix-toolbar")
        assert all(
            b.bounding_box()["x"] + b.bounding_box()["width"] <= width for b in toolbar.locator("button:visible").all()
        ), f"a toolbar button is out of sight at {width}px"
        toolbar.screenshot(path=str(artifacts_dir / f"editor-toolbar-{width}.png"))
        p.screenshot(path=str(artifacts_dir / f"editor-add-form-{width}.png"))

        _click(p, "href")
        dialog = p.locator('trix-toolbar [data-trix-dialog="href"]')
        assert dialog.locator("input[type=url]").get_attribute("placeholder") == "Nhập địa chỉ…"
        assert dialog.locator("input[type=url]").get_attribute("aria-label") == "Địa chỉ liên kết"
        values = [b.get_attribute("value") for b in dialog.locator("input[type=button]").all()]
        assert values == ["Liên kết", "Gỡ liên kết"]
        assert not _violations(p, console), _violations(p, console)

    # The admin's dark scheme: the black icons keep a light button behind them; an active button stays marked.
    page.emulate_media(color_scheme="dark")
    page.keyboard.press("Escape")
    page.locator("trix-editor").focus()
    _click(page, "bold")
    assert "trix-active" in page.get_attribute(".trix-button--icon-bold", "class")
    background = page.evaluate("getComputedStyle(document.querySelector('.trix-button--icon-italic')).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    page.locator("trix-toolbar").screenshot(path=str(artifacts_dir / "editor-toolbar-dark-1280.png"))


def test_every_formatting_the_toolbar_offers_is_saved_and_shown_on_the_public_page(newsroom, page, artifacts_dir):
    console = _watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    login_in_browser(page, newsroom, "bientap")
    page.goto(newsroom.url + "/admin/public/article/add/")
    page.fill("#id_title", "Thử trình soạn thảo tiếng Việt")
    page.fill("#id_slug", "thu-trinh-soan-thao")
    page.select_option("#id_category", index=1)
    page.select_option("#id_status", "published")
    page.fill("#id_publish_at_0", f"{timezone.localdate() - timedelta(days=1):%d/%m/%Y}")
    page.fill("#id_publish_at_1", "08:00")
    lines = ["Chữ nghiêng", "Chữ gạch", "Liên kết mẫu", "Tiêu đề mục", "Lời trích dẫn", "Đoạn mã", "Mục một",
             "Mục hai", "Bước một", "Bước hai"]  # fmt: skip
    html = "".join(f"<div>{line}</div>" for line in lines)
    page.evaluate("(html) => document.querySelector('trix-editor').editor.loadHTML(html)", html)
    # Typed, as an editor does: bold on, the words, bold off.
    page.evaluate("document.querySelector('trix-editor').editor.setSelectedRange([0, 0])")
    page.locator("trix-editor").focus()
    _click(page, "bold")
    page.keyboard.type("Gõ chữ đậm")
    _click(page, "bold")
    page.keyboard.press("Enter")

    for text, key in (("Chữ nghiêng", "italic"), ("Chữ gạch", "strike")):
        _select(page, text)
        _click(page, key)
    _select(page, "Liên kết mẫu")
    _click(page, "href")
    page.fill('trix-toolbar [data-trix-dialog="href"] input[type=url]', "https://example.com/tin")
    page.click('trix-toolbar [data-trix-dialog="href"] input[value="Liên kết"]')
    blocks = [("Tiêu đề mục", "heading1"), ("Lời trích dẫn", "quote"), ("Đoạn mã", "code"), ("Mục một", "bullet"),
              ("Mục hai", "bullet"), ("Bước một", "number"), ("Bước hai", "number")]  # fmt: skip
    for text, key in blocks:
        _select(page, text)
        _click(page, key)
    _select(page, "Mục hai")
    _click(page, "increaseNestingLevel")
    _select(page, "Bước hai")
    _click(page, "increaseNestingLevel")
    _click(page, "decreaseNestingLevel")

    typed = page.input_value("#id_body")
    _click(page, "undo")
    assert page.input_value("#id_body") != typed
    _click(page, "redo")
    assert page.input_value("#id_body") == typed

    expected = [
        "<strong>Gõ chữ đậm</strong>",
        "<em>Chữ nghiêng</em>",
        "<del>Chữ gạch</del>",
        'href="https://example.com/tin"',
        "<h2>Tiêu đề mục</h2>",
        "<blockquote>Lời trích dẫn</blockquote>",
        "<pre>Đoạn mã</pre>",
        "<ul><li>Mục một<ul><li>Mục hai</li></ul></li></ul>",
        "<ol><li>Bước một</li><li>Bước hai</li></ol>",
    ]
    for fragment in expected:
        assert fragment in typed, (fragment, typed)
    follow(page, "input[name=_save]")
    assert page.url.endswith("/admin/public/article/"), page.inner_text("#content")[:2000]

    saved = Article.objects.get(slug="thu-trinh-soan-thao")
    # Nothing the toolbar wrote was dropped by the sanitiser: the same elements, the same number of each.
    assert _tags(saved.body) == _tags(typed), (typed, saved.body)
    for fragment in expected:
        assert fragment in saved.body, (fragment, saved.body)

    # Opened again, the saved headings, lists and links are the editor's own formatting again, not plain text.
    page.goto(f"{newsroom.url}/admin/public/article/{saved.pk}/change/")
    page.wait_for_selector("trix-editor h2")
    assert page.locator("trix-editor h2").inner_text() == "Tiêu đề mục"
    assert page.locator("trix-editor ul ul li").inner_text() == "Mục hai"

    page.goto(newsroom.url + saved.get_absolute_url())
    body = page.locator(".article-body")
    assert body.locator("strong", has_text="Gõ chữ đậm").is_visible()
    assert body.locator("h2", has_text="Tiêu đề mục").is_visible()
    assert body.locator("ul ul li", has_text="Mục hai").is_visible()
    assert body.locator("a[href='https://example.com/tin']").is_visible()
    page.screenshot(path=str(artifacts_dir / "editor-public-article-1280.png"), full_page=True)
    assert not _violations(page, console), _violations(page, console)


def test_the_preview_button_opens_the_unsaved_text_as_the_public_page(newsroom, page, artifacts_dir):
    console = _watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    article = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk").first()
    views_before = article.view_count
    login_in_browser(page, newsroom, "bientap")
    page.goto(f"{newsroom.url}/admin/public/article/{article.pk}/change/")
    page.wait_for_selector("trix-toolbar .trix-button--icon-bold")
    page.fill("#id_title", "Tiêu đề đang soạn, chưa lưu")
    with page.context.expect_page() as opened:
        page.click("button:has-text('Xem trước')")
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.locator("h1").inner_text() == "Tiêu đề đang soạn, chưa lưu"
    assert "Bản xem trước — chưa công bố" in preview.inner_text(".preview-banner")
    preview.screenshot(path=str(artifacts_dir / "editor-preview-1280.png"), full_page=True)
    article.refresh_from_db()
    assert article.title != "Tiêu đề đang soạn, chưa lưu" and article.view_count == views_before
    assert not _violations(page, console), _violations(page, console)
