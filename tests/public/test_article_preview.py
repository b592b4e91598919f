"""Editors preview an article as the public will see it, from the admin's change form: saved drafts and scheduled
articles, and the form's unsaved content. Only those who may change the article see it; it counts nothing, is never
cached and asks not to be indexed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from public.counters import article_views
from public.models import Article, DailyVisit
from tests.conftest import BROWSER_UA

from .factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def preview_url(article) -> str:
    return reverse("admin:public_article_preview", args=[article.pk])


def form_data(article, **changes) -> dict:
    """What the admin's change form posts for `article`, with `changes` typed over it."""
    local = timezone.localtime(article.publish_at) if article.publish_at else None
    data = {
        "title": article.title,
        "slug": article.slug,
        "category": article.category_id,
        "lead": article.lead,
        "body": article.body,
        "cover_alt": article.cover_alt,
        "status": article.status,
        "publish_at_0": local.strftime("%d/%m/%Y") if local else "",
        "publish_at_1": local.strftime("%H:%M") if local else "",
        "source": article.source,
        "author_initials": article.author_initials,
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_an_editor_previews_a_saved_draft_with_its_text_marked_as_not_published(client, editor):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, title="Bản nháp chưa đăng",
                           body="<p>Nội dung <strong>nháp</strong> riêng</p>")  # fmt: skip
    client.force_login(editor)
    response = client.get(preview_url(draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bản nháp chưa đăng" in html and "Nội dung <strong>nháp</strong> riêng" in html
    assert "Bản xem trước — chưa công bố" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The print and PDF links of a draft would answer 404: the preview leaves them out.
    assert "/ban-in/" not in html and "Tải PDF" not in html


def test_a_scheduled_article_is_previewed_with_its_publish_time(client, editor):
    later = timezone.now() + timedelta(days=3)
    scheduled = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=later, title="Bài hẹn giờ")
    assert scheduled.status == Article.Status.SCHEDULED
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    client.force_login(editor)
    html = client.get(preview_url(scheduled)).content.decode()
    banner = html.split("chưa công bố.</strong>")[1].split("</p>")[0]
    assert "Bài hẹn giờ" in html and "hẹn giờ" in banner
    assert timezone.localtime(later).strftime("%d/%m/%Y") in banner


def test_the_change_forms_unsaved_text_is_previewed_and_nothing_is_saved(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None, title="Tiêu đề cũ", body="<p>Cũ</p>")
    client.force_login(editor)
    change = client.get(reverse("admin:public_article_change", args=[article.pk])).content.decode()
    assert f'formaction="{preview_url(article)}"' in change and ">Xem trước</button>" in change
    typed = "<div>Đoạn <strong>mới gõ</strong><script>x()</script></div>"
    data = form_data(article, title="Tiêu đề đang sửa", body=typed)
    response = client.post(preview_url(article), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tiêu đề đang sửa" in html and "<strong>mới gõ</strong>" in html and "x()" not in html
    assert "Bản xem trước — chưa công bố" in html
    article.refresh_from_db()
    assert (article.title, article.body) == ("Tiêu đề cũ", "<p>Cũ</p>")


def test_the_add_forms_unsaved_article_is_previewed_without_saving_it(client, editor):
    category = CategoryFactory(name="Tin hoạt động", slug="tin-hoat-dong")
    client.force_login(editor)
    add = client.get(reverse("admin:public_article_add")).content.decode()
    assert f'formaction="{reverse("admin:public_article_preview_add")}"' in add
    data = {
        "title": "Bài chưa lưu", "slug": "", "category": category.pk, "lead": "Tóm tắt", "body": "<div>Thân bài</div>",
        "status": "published", "publish_at_0": "", "publish_at_1": "", "cover_alt": "", "source": "",
        "author_initials": "", "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
    }  # fmt: skip
    count = Article.objects.count()
    response = client.post(reverse("admin:public_article_preview_add"), data)
    html = response.content.decode()
    assert response.status_code == 200, html[:2000]
    assert "Bài chưa lưu" in html and "Thân bài" in html and "Tin hoạt động" in html
    assert Article.objects.count() == count
    assert client.get(reverse("admin:public_article_preview_add")).status_code == 405


def test_a_field_in_error_is_named_and_the_rest_of_the_typed_text_is_shown(client, editor):
    article = ArticleFactory(title="Tiêu đề đã lưu")
    client.force_login(editor)
    response = client.post(preview_url(article), form_data(article, title="", body="<div>Thân bài mới</div>"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tiêu đề đã lưu" in html and "Thân bài mới" in html
    assert "Trường chưa hợp lệ" in html


def test_the_preview_counts_no_view_and_no_visit(client, editor, settings):
    article = ArticleFactory()
    client.force_login(editor)
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    visits = DailyVisit.objects.count()
    assert client.get(preview_url(article)).status_code == 200
    assert client.post(preview_url(article), form_data(article)).status_code == 200
    assert article_views.pending(article.pk) == 0
    assert DailyVisit.objects.count() == visits
    from public.counters import daily_visits

    assert daily_visits.pending(f"{timezone.localdate():%Y%m%d}") == 0


def test_anonymous_readers_and_officers_are_sent_to_log_in_and_the_fund_officer_is_refused(
    client, officer_hong_dan, fund_officer
):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    login = reverse("admin:login")
    assert client.get(preview_url(draft))["Location"].startswith(login)
    assert client.post(preview_url(draft), form_data(draft))["Location"].startswith(login)
    client.force_login(officer_hong_dan)
    assert client.get(preview_url(draft))["Location"].startswith(login)
    client.force_login(fund_officer)  # staff, without the right to change articles
    assert client.get(preview_url(draft)).status_code == 403
    assert client.post(preview_url(draft), form_data(draft)).status_code == 403
    assert client.post(reverse("admin:public_article_preview_add"), form_data(draft)).status_code == 403


def test_a_missing_article_is_a_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:public_article_preview", args=[999_999])).status_code == 404


def test_the_preview_costs_the_same_queries_with_one_tag_or_many(client, editor, django_assert_max_num_queries):
    from public.models import Tag

    client.force_login(editor)
    article = ArticleFactory()
    article.tags.set([Tag.objects.create(name="Một", slug="mot")])
    with django_assert_max_num_queries(20) as few:
        client.get(preview_url(article))
    article.tags.set([Tag.objects.create(name=f"Thẻ {n}", slug=f"the-{n}") for n in range(8)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(preview_url(article))
