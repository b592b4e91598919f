"""The user's inbox (/thong-bao/): every reminder and digest the apps sent them, newest first, unread marked.

Opening a notification (a POST, with the CSRF token) marks it read and goes to what it is about; another user's
notification is a 404, as if it did not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .notify import mark_read

PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.for_user(request.user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page_obj": page_obj})


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    mark_read(Notification.objects.filter(pk=notification.pk), timezone.now())
    link = notification.link
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = mark_read(Notification.objects.for_user(request.user), timezone.now())
    if changed:
        messages.success(request, "Đã đánh dấu tất cả thông báo là đã đọc.")
    return redirect("notifications:inbox")
