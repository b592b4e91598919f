"""The public pages in Chromium at 1280 and 360 px: axe-core's landmark rules (nothing outside a landmark, headings
in order, unique landmarks), the font buttons' pressed state, and the statistics page's charts with no label cut."""

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.browser

RULES = ["region", "landmark-unique", "landmark-one-main", "heading-order", "duplicate-id-aria", "page-has-heading-one"]
SIZES = {"1280": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 780}}


@pytest.fixture
def site(transactional_db, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=StringIO())
    return live_server


@pytest.fixture
def shots(artifacts_dir):
    """Where screenshots go: PORTAL_SHOTS if set, else the git-ignored artifacts folder."""
    path = Path(os.environ.get("PORTAL_SHOTS") or artifacts_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def pages():
    from cooperatives.models import Cooperative
    from directives.models import Document
    from public.models import Article
    from public.selectors import sidebar_data

    return {
        "home": "/",
        "news": "/tin-tuc/",
        "article": Article.objects.published().order_by("-publish_at").first().get_absolute_url(),
        "documents": "/van-ban/",
        "document": Document.objects.filter(is_public=True, files__isnull=False).first().get_absolute_url(),
        "directory": "/hop-tac-xa/",
        "statistics": "/hop-tac-xa/thong-ke/",
        "cooperative": Cooperative.objects.first().get_absolute_url(),
        "fund": "/quy-ho-tro/",
        "poll": sidebar_data()["poll"].get_absolute_url(),
        "search": "/tim-kiem/?q=hop+tac+xa",
        "contact": "/lien-he/",
    }


def landmark_violations(page) -> list:
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async (rules) => await axe.run(document, "
        "{runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']})",
        RULES,
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def test_no_content_sits_outside_a_landmark_on_the_main_public_pages_at_1280_and_360(site, browser, shots):
    found = {}
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=size == "360")
        page = context.new_page()
        for name, path in pages().items():
            page.goto(site.url + path)
            violations = landmark_violations(page)
            if violations:
                found[f"{path} @{size}"] = violations
            if name in {"news", "poll", "document", "statistics"}:
                page.screenshot(path=str(shots / f"public-{name}-{size}.png"), full_page=True)
        context.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_font_buttons_say_which_one_is_pressed_and_follow_the_clicks(site, page):
    page.goto(site.url + "/tin-tuc/")
    pressed = lambda: {b: page.get_attribute(f"button[data-font={b}]", "aria-pressed") for b in ("down", "reset", "up")}  # noqa: E731
    assert pressed() == {"down": "false", "reset": "true", "up": "false"}
    page.click("button[data-font=up]")
    assert pressed() == {"down": "false", "reset": "false", "up": "true"}
    page.click("button[data-font=down]")
    page.click("button[data-font=down]")
    assert pressed() == {"down": "true", "reset": "false", "up": "false"}
    page.goto(site.url + "/tham-do/")
    assert pressed() == {"down": "true", "reset": "false", "up": "false"}  # rendered so by the server too
    page.click("button[data-font=reset]")
    assert pressed() == {"down": "false", "reset": "true", "up": "false"}


def test_no_bar_label_of_the_statistics_page_is_cut_at_1280_or_360(site, browser, shots):
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=size == "360")
        page = context.new_page()
        page.goto(site.url + "/hop-tac-xa/thong-ke/")
        # Each label's box, in its drawing's own units: nothing may start left of the drawing or run into the bars.
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart-svg')].flatMap(svg => {
                 const bars = svg.querySelector('rect.chart-bar');
                 const barX = bars ? bars.x.baseVal.value : Infinity;
                 return [...svg.querySelectorAll('text.chart-label')].map(t => {
                   const b = t.getBBox();
                   return {text: t.textContent, left: b.x, right: b.x + b.width, barX: barX};
                 });
               })"""
        )
        assert boxes
        cut = [b for b in boxes if b["left"] < 0 or b["right"] > b["barX"]]
        assert not cut, (size, cut)
        # The years under the columns stay inside their drawing and do not run into each other.
        years = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart-columns')].map(svg => {
                 const width = svg.viewBox.baseVal.width;
                 const boxes = [...svg.querySelectorAll('text.chart-axis[text-anchor=middle]')].map(t => t.getBBox());
                 return {width: width, boxes: boxes.map(b => [b.x, b.x + b.width])};
               })"""
        )
        for chart in years:
            spans = chart["boxes"]
            assert all(0 <= left and right <= chart["width"] for left, right in spans), (size, spans)
            assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False)), (size, spans)
        assert page.locator("#qua-cac-nam").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the statistics page scrolls sideways at {size}px ({width}px)"
        page.screenshot(path=str(shots / f"public-statistics-charts-{size}.png"), full_page=True)
        context.close()


def test_xem_opens_a_documents_pdf_in_the_browsers_viewer_and_tai_ve_saves_it(site, page, shots):
    from directives.models import Document

    document = Document.objects.filter(is_public=True, files__isnull=False).first()
    page.goto(site.url + document.get_absolute_url())
    downloads = []
    page.context.on("download", lambda d: downloads.append(d))
    with page.expect_popup() as opened:
        page.locator(".file-links a", has_text="Xem").first.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert viewer.url.endswith("?xem=1")
    viewer.wait_for_timeout(1000)
    assert not downloads  # shown, not saved (Chromium's viewer, under the sandbox Content-Security-Policy)
    viewer.screenshot(path=str(shots / "public-document-pdf-inline-1280.png"))
    with page.expect_download() as saved:
        page.locator(".file-links a", has_text="Tải về").first.click()
    assert saved.value.suggested_filename.endswith(".pdf")
