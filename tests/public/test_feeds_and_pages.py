import xml.etree.ElementTree as ET
from datetime import date, timedelta

from django.core import mail
from django.utils import timezone

from portal.siteurl import site_url
from public.models import Article, ContactMessage

from .factories import ArticleFactory, CategoryFactory, PageFactory


def test_rss_is_valid_rss_2_with_the_latest_published_news(db, reader):
    ArticleFactory(title="Tin đã đăng")
    ArticleFactory(title="Tin nháp", status=Article.Status.DRAFT, publish_at=None)
    response = reader.get("/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.find(required) is not None
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["Tin đã đăng"]
    assert channel.find("item").findtext("pubDate")


def test_each_category_has_its_own_feed(db, reader):
    news = CategoryFactory(slug="tin-hoat-dong", name="Tin hoạt động")
    ArticleFactory(title="Trong chuyên mục", category=news)
    ArticleFactory(title="Ngoài chuyên mục")
    channel = ET.fromstring(reader.get("/rss/tin-hoat-dong/").content).find("channel")
    assert [i.findtext("title") for i in channel.findall("item")] == ["Trong chuyên mục"]
    assert reader.get("/rss/khong-co/").status_code == 404


def test_the_sitemap_lists_published_content_only(db, demo, reader):
    from cooperatives.models import Cooperative
    from directives.models import Document
    from portal.models import AdministrativeUnit

    ArticleFactory(slug="da-dang")
    ArticleFactory(slug="ban-nhap", status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(slug="hen-gio", status=Article.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1))
    PageFactory(slug="trang-an", is_published=False)
    PageFactory(slug="gioi-thieu")
    Document.objects.create(doc_type="cong_van", number="1", slug="vb-cong-khai", issuer="UBND",
                            issue_date=date(2022, 1, 1), summary="a")  # fmt: skip
    Document.objects.create(doc_type="cong_van", number="2", slug="vb-noi-bo", issuer="UBND", is_public=False,
                            issue_date=date(2022, 1, 1), summary="b")  # fmt: skip
    Cooperative.objects.create(name="HTX A", slug="htx-a", sector="crops",
                               unit=AdministrativeUnit.objects.get(code="956"))  # fmt: skip
    root = ET.fromstring(reader.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text.replace(site_url(), "") for loc in root.findall("s:url/s:loc", ns)}
    assert {"/tin-tuc/da-dang/", "/gioi-thieu/", "/van-ban/vb-cong-khai/", "/hop-tac-xa/htx-a/"} <= locs
    assert {"/quy-ho-tro/", "/hop-tac-xa/thong-ke/"} <= locs
    assert not {"/tin-tuc/ban-nhap/", "/tin-tuc/hen-gio/", "/trang/trang-an/", "/van-ban/vb-noi-bo/"} & locs


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(db, reader):
    text = reader.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text and f"Sitemap: {site_url()}/sitemap.xml" in text


def test_the_about_page_shows_history_functions_organisation_and_leaders(db, reader):
    from io import StringIO

    from portal import demo
    from public import demo as demo_content

    demo.load(StringIO())
    demo_content.load(StringIO())
    html = reader.get("/gioi-thieu/").content.decode()
    for heading in ["Lịch sử", "Chức năng, nhiệm vụ", "Cơ cấu tổ chức", "Lãnh đạo"]:
        assert f"<h2>{heading}</h2>" in html
    assert reader.get("/trang/gioi-thieu/").status_code == 301


def test_the_contact_form_keeps_what_was_typed_and_explains_errors(db, reader):
    response = reader.post("/lien-he/", {"name": "Nguyễn Văn A", "email": "khong-hop-le", "subject": "", "body": "Xin"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Địa chỉ thư điện tử không hợp lệ." in html and "Vui lòng nhập tiêu đề." in html
    assert 'value="Nguyễn Văn A"' in html and 'value="khong-hop-le"' in html
    assert not ContactMessage.objects.exists()


def test_a_contact_message_is_stored_and_emailed_to_staff_once(db, demo, reader, django_capture_on_commit_callbacks):
    data = {"name": "Trần B", "email": "b@example.vn", "phone": "0291 382", "subject": "Hỏi vay vốn", "body": "Nội"}
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post("/lien-he/", data, follow=True)
    assert "thư đã được gửi" in response.content.decode()
    message = ContactMessage.objects.get()
    assert len(mail.outbox) == 1 and "lienminh@example.invalid" in mail.outbox[0].to
    assert "Hỏi vay vốn" in mail.outbox[0].subject
    from public.tasks import email_contact_message

    assert email_contact_message(message.pk) is False  # a second run sends nothing
    assert len(mail.outbox) == 1


def test_the_honeypot_quietly_drops_bots(db, reader):
    data = {"name": "Bot", "email": "b@x.vn", "subject": "Spam", "body": "Spam", "website": "http://spam"}
    response = reader.post("/lien-he/", data, follow=True)
    assert response.status_code == 200
    assert not ContactMessage.objects.exists()


def test_the_contact_form_is_rate_limited_per_address(db, reader, settings):
    settings.PORTAL_CONTACT_PER_HOUR = 2
    data = {"name": "C", "email": "c@example.vn", "subject": "Hỏi", "body": "Nội dung"}
    for _ in range(2):
        reader.post("/lien-he/", data)
    html = reader.post("/lien-he/", data).content.decode()
    assert "quá nhiều thư" in html and 'value="c@example.vn"' in html
    assert ContactMessage.objects.count() == 2


def test_font_size_and_contrast_cookies_are_rendered_on_the_html_element(db, reader):
    reader.cookies["htx_font"] = "large"
    reader.cookies["htx_contrast"] = "high"
    assert '<html lang="vi" class="font-large contrast-high">' in reader.get("/tin-tuc/").content.decode()
    reader.cookies["htx_font"] = '"><script>'
    assert '<html lang="vi" class="contrast-high">' in reader.get("/tin-tuc/").content.decode()
