import re

import pytest
from django.conf import settings

from public.models import Article, Category


def test_an_editor_writes_an_article_with_the_self_hosted_editor_and_the_save_records_who(db, client, editor):
    category = Category.objects.create(name="Tin hoạt động", slug="tin-hoat-dong")
    client.force_login(editor)
    form = client.get("/admin/public/article/add/").content.decode()
    assert "/static/vendor/trix/trix.umd.min.js" in form and "<trix-editor" in form
    data = {
        "title": "Bài mới",
        "slug": "bai-moi",
        "category": category.pk,
        "lead": "Tóm tắt",
        "body": '<p>Nội dung</p><script>alert(1)</script><img src=x onerror="alert(1)">',
        "cover_alt": "",
        "status": "draft",
        "source": "Liên minh HTX tỉnh",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/public/article/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="bai-moi")
    assert article.created_by == editor and article.updated_by == editor
    assert "<script" not in article.body and "onerror" not in article.body
    assert article.history.first().history_user == editor
    change = client.get(f"/admin/public/article/{article.pk}/change/").content.decode()
    assert f"/admin/public/article/{article.pk}/xem-truoc/" in change


def test_an_officer_without_the_editor_role_cannot_open_the_news_admin(db, client, officer_hong_dan):
    client.force_login(officer_hong_dan)
    assert client.get("/admin/public/article/").status_code in (302, 403)


@pytest.mark.parametrize(
    "old, new",
    [
        ("/admin/portal/article/", "/admin/public/article/"),
        ("/admin/portal/article/7/change/", "/admin/public/article/7/change/"),
        ("/admin/portal/poll/?q=%C4%91%E1%BA%A1i", "/admin/public/poll/?q=%C4%91%E1%BA%A1i"),
        ("/admin/portal/contactmessage/add/", "/admin/public/contactmessage/add/"),
    ],
)
def test_links_to_the_public_sites_admin_pages_under_their_old_label_still_arrive(client, db, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_the_kernels_own_admin_pages_keep_their_label(client, db):
    assert client.get("/admin/portal/agency/").status_code == 302  # to the login page, not to public/
    assert "/admin/login/" in client.get("/admin/portal/agency/")["Location"]


STATIC = settings.BASE_DIR / "static"


def test_every_icon_trix_css_draws_from_a_data_url_is_overridden_by_one_of_our_files():
    """The CSP refuses data: images; an upgrade of Trix that adds an icon must add its file and rule too."""
    trix_css = (STATIC / "vendor/trix/trix.css").read_text()
    ours = (STATIC / "css/portal-admin.css").read_text()
    drawn = re.findall(r"([^{}]+)\{[^{}]*url\(\"data:", trix_css)
    assert len(drawn) == 15
    for selector in drawn:
        selector = selector.strip()
        rule = re.search(re.escape(selector) + r' \{ background-image: url\("\.\./([^"]+)"\); \}', ours)
        assert rule, f"{selector} keeps trix.css's data: URL"
        assert (STATIC / rule.group(1)).is_file(), rule.group(1)


def test_every_label_trix_has_is_given_in_vietnamese():
    english = re.search(r"\{attachFiles:[^}]*\}", (STATIC / "vendor/trix/trix.umd.min.js").read_text()).group(0)
    ours = (STATIC / "js/portal-admin.js").read_text()
    for key in re.findall(r"(\w+):\"", english):
        if key not in {"GB", "KB", "MB", "PB", "TB"}:
            assert re.search(rf"\n    {key}: \"[^\"]+\"", ours), f"Trix.config.lang.{key} is left in English"
