"""The alliance staff's start page (/lam-viec/viec-cho-xu-ly/): what waits for them, each figure a link to the
list behind it, which shows exactly that many rows."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

import cooperatives.selectors as cooperative_selectors
import fund.selectors as fund_selectors
from portal import staffcache

from . import services
from .models import Report


def _link(name: str, **query) -> str:
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def waiting_items(user, *, on) -> list[dict]:
    """The figures of the start page, each {"key", "label", "count", "url"}, for the lists `user` may open."""
    registry = cooperative_selectors.needs_action_counts(on=on)
    needs = cooperative_selectors.NEEDS_ACTION
    items = [
        {
            "key": "reports",
            "label": "Báo cáo của đơn vị chờ duyệt",
            "count": Report.objects.filter(state=Report.State.SUBMITTED).count(),
            "url": reverse("directives:workspace"),
        },
    ]
    for condition in (cooperative_selectors.CONGRESS_OVERDUE, cooperative_selectors.WEAK_WITHOUT_PLAN):
        items.append(
            {
                "key": condition,
                "label": f"HTX {needs[condition][0].lower()}{needs[condition][1:]}",
                "count": registry[condition],
                "url": _link("cooperatives:registry_list", can_xu_ly=condition),
            }
        )
    if user.has_perm("fund.view_loan"):
        items.append(
            {
                "key": "loans",
                "label": "Khoản vay quá hạn trên 30 ngày",
                "count": fund_selectors.loans_in_arrears_count(on),
                "url": _link("fund:loan_list", qua_han="on"),
            }
        )
    if user.is_staff and user.has_perm("cooperatives.view_importjob"):
        items.append(
            {
                "key": "imports",
                "label": "Lượt nhập dữ liệu bị lỗi",
                "count": cooperative_selectors.imports_failed_count(),
                "url": _link("admin:cooperatives_importjob_changelist", status__exact="failed"),
            }
        )
    return items


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Only the staff who review reports (alliance staff, superusers) have this page; others get a 404."""
    if not services.is_reviewer(request.user):
        raise Http404
    # Kept per user and session until anything changes (portal.staffcache): its overdue-congress figure reads every
    # cooperative's congresses, which costs most of a second at ten thousand cooperatives.
    return staffcache.page(request, lambda: _staff_home(request))


def _staff_home(request: HttpRequest) -> HttpResponse:
    on = timezone.localdate()
    ctx = {"items": waiting_items(request.user, on=on), "today": on}
    return render(request, "directives/staff_home.html", ctx)
