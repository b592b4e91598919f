from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.siteurl import site_url
from portal.text import clean_html
from public.counters import article_views, flush_article_views
from public.models import Article
from tests.properties import examples

from .factories import ArticleFactory

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle r="1"></circle></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">x</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="a"></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<img src="x" alt="x"/onerror=alert(1)>',
    "<<script>script>alert(1)<</script>/script>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]
FORBIDDEN = ["<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "style=", "<svg", "data:text",
             "<object", "<embed", "<form", "<meta", "<style"]  # fmt: skip


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rich_text_loses_every_xss_payload_when_saved_and_when_shown(db, reader, payload):
    article = ArticleFactory(body=f"<p>Đầu bài</p>{payload}<p>Cuối bài</p>")
    stored = Article.objects.get(pk=article.pk).body
    for marker in FORBIDDEN:
        assert marker not in stored.lower()
    # Even a row written around save() is cleaned when shown.
    Article.objects.filter(pk=article.pk).update(body=f"<p>Đầu bài</p>{payload}")
    html = reader.get(article.get_absolute_url()).content.decode()
    body = html.split('class="article-body">', 1)[1].split("</div>", 1)[0]
    for marker in FORBIDDEN:
        assert marker not in body.lower()
    assert "Đầu bài" in body


def test_sanitising_keeps_ordinary_formatting():
    html = '<h2>Tiêu đề</h2><p><strong>Đậm</strong> <a href="https://baclieu.gov.vn">lk</a></p><ul><li>a</li></ul>'
    cleaned = clean_html(html)
    assert "<h2>Tiêu đề</h2>" in cleaned and "<strong>Đậm</strong>" in cleaned and "<li>a</li>" in cleaned
    assert 'href="https://baclieu.gov.vn"' in cleaned


def test_a_scheduled_article_appears_by_itself_when_its_time_comes(db, reader):
    import time

    due = timezone.now() + timedelta(seconds=1.5)
    article = ArticleFactory(status=Article.Status.SCHEDULED, publish_at=due)
    assert reader.get(article.get_absolute_url()).status_code == 404
    assert article.title not in reader.get("/tin-tuc/").content.decode()
    assert article.title not in reader.get("/").content.decode()
    # No job runs and nothing is saved: the clock alone publishes it, through every cache in between.
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.1)
    assert reader.get(article.get_absolute_url()).status_code == 200
    assert article.title in reader.get("/tin-tuc/").content.decode()
    # The home page's cache lives whole seconds, up to the next scheduled time rounded up: a second or two late.
    time.sleep(2.1)
    assert article.title in reader.get("/").content.decode()


def test_a_published_article_with_a_future_time_is_stored_as_scheduled(db):
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=timezone.now() + timedelta(days=1))
    assert article.status == Article.Status.SCHEDULED
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_home_cache_expires_no_later_than_the_next_scheduled_article(db):
    from portal.contentcache import cache_ttl

    now = timezone.now()
    ArticleFactory(status=Article.Status.SCHEDULED, publish_at=now + timedelta(seconds=40))
    assert cache_ttl() <= 41


def test_a_draft_is_not_public(db, reader):
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    assert reader.get(article.get_absolute_url()).status_code == 404


def test_a_cover_image_needs_alt_text(db):
    with pytest.raises(IntegrityError):
        ArticleFactory(cover="news/anh.jpg", cover_alt="")


def test_the_article_page_shows_weekday_date_source_and_view_count(db, reader):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    article = ArticleFactory(
        publish_at=datetime(2022, 4, 20, 16, 14, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), source="Liên minh HTX tỉnh"
    )
    Article.objects.filter(pk=article.pk).update(view_count=1487)
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "Thứ tư, 20/04/2022, 16:14" in html
    assert "Liên minh HTX tỉnh" in html
    assert "Số lượt xem: <strong>1.488</strong>" in html
    assert 'property="og:type" content="article"' in html
    assert f'rel="canonical" href="{site_url()}{article.get_absolute_url()}"' in html


def test_views_are_buffered_and_flushed_exactly_once(db, reader):
    article = ArticleFactory()
    for _ in range(3):
        reader.get(article.get_absolute_url())
    assert Article.objects.get(pk=article.pk).view_count == 0
    assert article_views.pending(article.pk) == 3
    assert flush_article_views() == 3
    assert flush_article_views() == 0
    assert Article.objects.get(pk=article.pk).view_count == 3


def test_bots_and_editors_do_not_count(db, client, editor):
    article = ArticleFactory()
    client.get(article.get_absolute_url(), HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    client.get(article.get_absolute_url())  # no user agent at all
    client.force_login(editor)
    client.get(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0")
    assert article_views.pending(article.pk) == 0


def test_the_article_pdf_downloads_with_its_vietnamese_text(db, reader):
    import io

    from pypdf import PdfReader

    article = ArticleFactory(title="Đại hội thành viên Hợp tác xã Ninh Quới")
    response = reader.get(f"{article.get_absolute_url()}pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Đại hội thành viên Hợp tác xã Ninh Quới" in text


def test_the_print_view_holds_the_article_without_the_site_chrome(db, reader):
    article = ArticleFactory()
    html = reader.get(f"{article.get_absolute_url()}ban-in/").content.decode()
    assert article.title in html and "main-nav" not in html


def test_attachments_show_name_type_and_size(db, reader, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from public.forms import AttachmentAdminForm

    settings.MEDIA_ROOT = tmp_path
    article = ArticleFactory()
    upload = SimpleUploadedFile("cv-1047.pdf", b"%PDF-1.4\n" + b"x" * 3000, content_type="application/pdf")
    form = AttachmentAdminForm(
        data={"article": article.pk, "name": "Công văn 1047/UBND-KT", "order": 0}, files={"file": upload}
    )
    assert form.is_valid(), form.errors
    form.save()
    html = reader.get(article.get_absolute_url()).content.decode()
    assert "Công văn 1047/UBND-KT" in html and "PDF, 3 KB" in html
    url = article.attachments.get().file.url
    assert f'<a href="{url}" target="_blank" rel="noopener">Xem' in html  # a PDF opens in the browser
    assert f'<a href="{url}" download>Tải về' in html  # or is saved


def test_an_attachment_whose_content_does_not_match_its_name_is_refused(db, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from public.forms import AttachmentAdminForm

    article = ArticleFactory()
    upload = SimpleUploadedFile("cv.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    form = AttachmentAdminForm(data={"article": article.pk, "name": "Giả", "order": 0}, files={"file": upload})
    assert not form.is_valid()
    assert "nội dung không khớp với phần mở rộng" in str(form.errors)


def test_an_empty_slug_is_made_from_the_title_without_diacritics_and_kept_unique(db):
    first = ArticleFactory(title="Đại hội thành viên HTX Ninh Quới", slug="")
    second = ArticleFactory(title="Đại hội thành viên HTX Ninh Quới", slug="")
    assert first.slug == "dai-hoi-thanh-vien-htx-ninh-quoi"
    assert second.slug == "dai-hoi-thanh-vien-htx-ninh-quoi-2"


# --- the publishing rule, held by public.services.article_save ---------------------------------------------------


def test_the_admin_saves_through_the_publishing_rule(client, db, django_user_model):
    """Marked published with a time to come, an article saved in the admin waits, scheduled, and records who."""
    from tests.public.factories import CategoryFactory

    editor = django_user_model.objects.create_superuser("bt", password="x")
    client.force_login(editor)
    category = CategoryFactory()
    later = timezone.localtime() + timedelta(days=2)
    response = client.post(
        "/admin/public/article/add/",
        {
            "title": "Đại hội thành viên Hợp tác xã Vĩnh Hưng",
            "category": category.pk,
            "status": "published",
            "publish_at_0": later.strftime("%d/%m/%Y"),
            "publish_at_1": later.strftime("%H:%M:%S"),
            "source": "Liên minh HTX tỉnh",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.status == Article.Status.SCHEDULED
    assert article.created_by == editor and article.updated_by == editor
    assert not Article.objects.published().exists()


STATUSES = [Article.Status.DRAFT, Article.Status.SCHEDULED, Article.Status.PUBLISHED]


# Seconds from now; none within 5 s ahead, where the clock could pass the time between two of the checks.
OFFSETS = st.one_of(st.none(), st.integers(-(10**7), 0), st.integers(5, 10**7))


@given(status=st.sampled_from(STATUSES), offset=OFFSETS)
@settings(max_examples=examples(40))
def test_whatever_status_and_time_an_article_is_saved_with_readers_see_it_exactly_when_its_time_has_come(
    db, status, offset
):
    from public.services import article_save
    from tests.public.factories import CategoryFactory

    now = timezone.now()
    publish_at = None if offset is None else now + timedelta(seconds=offset)
    article = article_save(
        article=Article(category=CategoryFactory(slug="tin"), title="Tin", status=status, publish_at=publish_at)
    )
    article.refresh_from_db()
    try:
        if status == Article.Status.DRAFT:
            assert (article.status, article.publish_at) == (status, publish_at)
        else:
            assert article.publish_at is not None  # a non-draft always has its time (now, when none was given)
            if publish_at is not None:
                assert article.publish_at == publish_at
        if article.status == Article.Status.PUBLISHED:
            assert article.publish_at <= timezone.now()  # "published" never names an article still to come
        visible = Article.objects.published().filter(pk=article.pk).exists()
        assert visible == article.is_published()
        assert visible == (status != Article.Status.DRAFT and (publish_at is None or publish_at <= timezone.now()))
    finally:
        article.delete()
