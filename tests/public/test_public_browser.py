"""The public site as a reader clicks through it, in Debian's Chromium; axe-core checks accessibility."""

import json
from io import StringIO

import pytest
from django.conf import settings

from tests.conftest import follow

pytestmark = pytest.mark.browser

AXE = settings.BASE_DIR / "static" / "vendor" / "axe-core" / "axe.min.js"
SEED = "/tin-tuc/tiep-tuc-thuc-hien-cac-giai-phap-thao-go-kho-khan-thuc-day-kttt-htx/"
POLL = "/tham-do/noi-dung-quan-tam-kinh-te-tap-the/"


@pytest.fixture
def site(transactional_db, live_server, settings):
    from portal import demo
    from public import demo as demo_content

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load(StringIO())
    demo_content.load(StringIO())
    return live_server


def serious_violations(page) -> list:
    # Loaded from our own origin: the Content-Security-Policy (script-src 'self') refuses an inline copy.
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core/{AXE.name}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_reader_opens_the_article_and_the_font_size_follows_to_the_next_page(site, page):
    page.goto(site.url + "/")
    page.click("text=Tiếp tục thực hiện các giải pháp tháo gỡ khó khăn")
    page.wait_for_url(f"**{SEED}")
    assert page.locator("h1").inner_text().startswith("Tiếp tục thực hiện các giải pháp")
    assert "Thứ tư, 20/04/2022, 16:14" in page.inner_text(".article-meta")
    assert "Số lượt xem" in page.inner_text(".view-count")
    page.click("button[data-font=up]")
    assert "font-large" in page.get_attribute("html", "class")
    page.click("text=Tin tức >> nth=0")
    page.wait_for_url("**/tin-tuc/")
    assert "font-large" in page.get_attribute("html", "class")
    page.click("button[data-contrast]")
    page.reload()
    assert "contrast-high" in page.get_attribute("html", "class")
    assert page.get_attribute("button[data-contrast]", "aria-pressed") == "true"


def test_a_visitor_votes_once_and_is_refused_the_second_time(site, page):
    page.goto(site.url + POLL)
    page.locator(".content .poll-form label", has_text="Liên kết tiêu thụ sản phẩm").click()
    follow(page, page.locator(".content .poll-form button[type=submit]"))
    assert "Cảm ơn bạn đã bình chọn" in page.inner_text(".messages")
    assert "Bạn đã bình chọn trong cuộc thăm dò này" in page.inner_text(".content")
    assert "Tổng số lượt bình chọn: 98" in page.inner_text(".content")
    # The poll's own page does not repeat it in the sidebar; the home page's sidebar form refuses a second vote.
    assert page.locator(".sidebar .poll-form").count() == 0
    page.goto(site.url + "/")
    page.locator(".sidebar .poll-form label", has_text="Thành lập hợp tác xã mới").click()
    follow(page, page.locator(".sidebar .poll-form button[type=submit]"))
    assert "Bạn đã bình chọn trong cuộc thăm dò này" in page.inner_text(".messages")
    assert "Tổng số lượt bình chọn: 98" in page.inner_text(".content")


def test_a_reader_searches_without_diacritics(site, page):
    page.goto(site.url + "/")
    page.fill("#o-tim-kiem", "thao go kho khan")
    page.press("#o-tim-kiem", "Enter")
    page.wait_for_url("**/tim-kiem/?q=*")
    assert "Tiếp tục thực hiện các giải pháp tháo gỡ khó khăn" in page.inner_text(".search-results")
    assert page.locator(".search-results mark").first.inner_text().lower() in {"tháo", "gỡ", "khó", "khăn"}


def test_a_reader_downloads_the_article_pdf(site, page):
    page.goto(site.url + SEED)
    with page.expect_download() as info:
        page.click("text=Tải PDF")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_no_serious_or_critical_accessibility_violations_on_home_article_search_poll_and_contact(site, page):
    found = {}
    for path in ["/", SEED, "/tim-kiem/?q=hop+tac+xa", POLL, "/lien-he/"]:
        page.goto(site.url + path)
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_screenshots_of_home_and_article_on_desktop_and_phone(site, page, mobile_page, artifacts_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, p in (("1280", page), ("360", mobile_page)):
        for slug, path in (("home", "/"), ("article", SEED)):
            p.goto(site.url + path)
            p.screenshot(path=str(artifacts_dir / f"public-{slug}-{name}.png"), full_page=True)
            width = p.evaluate("document.documentElement.scrollWidth")
            assert width <= int(name), f"{path} scrolls sideways at {name}px ({width}px wide)"
    mobile_page.goto(site.url + "/")
    assert not serious_violations(mobile_page)
