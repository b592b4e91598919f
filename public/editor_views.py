"""The editors' start page (/lam-viec/bien-tap/): the desk's drafts, what is scheduled and what is read most,
each article a link to its admin page, where editors write."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from .models import Article

ROWS = 10


@login_required
def editor_home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("public.change_article"):
        raise PermissionDenied("Trang này dành cho biên tập viên.")
    now = timezone.now()
    articles = Article.objects.select_related("category", "updated_by").defer("lead", "body", "search_text")
    changelist = reverse("admin:public_article_changelist")
    ctx = {
        "drafts": articles.filter(status=Article.Status.DRAFT).order_by("-updated_at", "-pk")[:ROWS],
        "scheduled": articles.exclude(status=Article.Status.DRAFT)
        .filter(publish_at__gt=now)
        .order_by("publish_at")[:ROWS],
        "most_read": articles.published(now).order_by("-view_count", "-publish_at")[:ROWS],
        "add_url": reverse("admin:public_article_add"),
        "drafts_url": f"{changelist}?status__exact=draft",
        "scheduled_url": f"{changelist}?status__exact=scheduled",
        "most_read_url": f"{changelist}?o=-6",
    }
    return render(request, "public/editor_home.html", ctx)
