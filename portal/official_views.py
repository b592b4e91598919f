"""The file of an issued document (văn bản đi), for whoever may open it (portal.official.issued_visible_to)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .official import issued_file_name, issued_visible_to
from .storage import attachment_response, wants_inline
from .tasks import publish, render_issued

# A document whose PDF is still missing this long after issue is published to the worker again when asked for
# (the broker may have been down when it was issued; the sweep would do it within five minutes anyway).
REPUBLISH_AFTER = timedelta(seconds=30)


@login_required
def issued_file(request, pk):
    return issued_file_response(request, get_object_or_404(issued_visible_to(request.user), pk=pk))


def issued_file_response(request, doc):
    """The document's PDF (the signed one once signed), or, while the worker is still writing it, a page that says
    so and reloads itself (202)."""
    if doc.current_file:
        return attachment_response(doc.current_file, issued_file_name(doc), inline=wants_inline(request))
    if not doc.render_error and timezone.now() - doc.issued_at > REPUBLISH_AFTER:
        publish(render_issued, doc.pk)
    return render(request, "portal/issued_pending.html", {"doc": doc}, status=202)
