"""History of who changed what and when (django-simple-history), shown in the admin only for rows the user may see."""

from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .access import user_scope


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history page follows the admin's scoped queryset.

    simple-history falls back to the historical rows when the object is not in get_queryset(), which would show a
    district-scoped user another district's changes; here a row outside the scope is a 404, like its change page.
    A deleted row's history stays readable by province-wide staff.
    """

    def history_view(self, request, object_id, extra_context=None):
        pk = unquote(object_id)
        if not self.get_queryset(request).filter(pk=pk).exists():
            if self.model._default_manager.filter(pk=pk).exists() or not user_scope(request.user).everything:
                raise Http404("Không tìm thấy.")
        return super().history_view(request, object_id, extra_context)


def request_user_or_by(instance, request=None, **kwargs):
    """Who to record: the logged-in user of the request, or outside a request (a task, a command, an import) the
    row's own `by`, so a payment entered by a service still names the fund officer."""
    if request is not None:
        return request.user
    return getattr(instance, "by", None)
