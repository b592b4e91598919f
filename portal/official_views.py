"""The file of an issued document (văn bản đi), for whoever may see its agency's documents (portal.official)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from .official import issued_file_name, issued_visible_to
from .storage import attachment_response, wants_inline


@login_required
def issued_file(request, pk):
    doc = get_object_or_404(issued_visible_to(request.user), pk=pk)
    if not doc.current_file:
        raise Http404("Văn bản chưa có tệp.")
    return attachment_response(doc.current_file, issued_file_name(doc), inline=wants_inline(request))
