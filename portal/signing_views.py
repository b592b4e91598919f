"""The officer's "Ký số" button on an issued document (portal.signing)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from .models import IssuedDocument
from .signing import SigningError, document_sign, may_see, may_sign

ATTEMPT_WINDOW = 600  # seconds


def _next_url(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("start")


def _attempt_allowed(user_id: int) -> bool:
    """A fixed window per account: a passphrase cannot be guessed at speed, right or wrong."""
    key = f"portal:sign-attempts:{user_id}"
    cache.add(key, 0, ATTEMPT_WINDOW)
    try:
        return cache.incr(key) <= settings.PORTAL_SIGN_ATTEMPTS
    except ValueError:  # expired between add() and incr()
        return True


@sensitive_variables()
@sensitive_post_parameters("passphrase")
@login_required
@require_POST
def issued_sign(request, pk: int):
    document = get_object_or_404(IssuedDocument.objects.select_related("agency"), pk=pk)
    if not may_see(request.user, document):
        raise Http404("Không tìm thấy văn bản.")
    if not may_sign(request.user, document):
        raise PermissionDenied("Bạn không có quyền ký số văn bản của cơ quan này.")
    target = _next_url(request)
    passphrase = request.POST.get("passphrase", "")
    if not _attempt_allowed(request.user.pk):
        messages.error(request, "Bạn đã thử ký số quá nhiều lần; hãy đợi 10 phút rồi thử lại.")
    elif not passphrase:
        messages.error(request, "Hãy nhập mật khẩu chứng thư số.")
    else:
        try:
            document_sign(document=document, passphrase=passphrase, by=request.user)
        except SigningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Đã ký số văn bản {document.reference}.")
    return redirect(target)
