"""Run by `manage.py shell` against the pair's primary: one editor and what the tests edit."""

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone

from portal.models import User
from public.models import Article, Category, Page
from public.services import article_save

editor = User.objects.create_user("bien_tap", password="Mat-khau-rat-dai-2026", is_staff=True)
editor.user_permissions.set(
    Permission.objects.filter(
        content_type__app_label="public", codename__in=["view_page", "change_page", "view_article", "change_article"]
    )
)
category = Category.objects.create(name="Tin hoạt động", slug="tin-hoat-dong")
article_save(
    article=Article(
        category=category,
        title="Bản tin số một",
        slug="ban-tin",
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
    )
)
Page.objects.create(title="Giới thiệu ban đầu", slug="gioi-thieu-htx", body="<p>Nội dung.</p>")
