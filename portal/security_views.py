"""Second factor (TOTP) pages: enrolment with a QR code drawn on the server as SVG, and the verification form."""

import base64
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import security
from .security_forms import TokenForm

PENDING_KEY = "portal.otp_pending_key"


def _next_url(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def qr_svg(text: str) -> str:
    """An inline SVG QR code (path only, no style attributes, so the CSP needs no exception)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="Mã QR để thêm vào ứng dụng xác thực" class="otp-qr" ', 1)


@never_cache
@login_required
def otp_verify(request):
    if not _devices(request.user).exists():
        return redirect(f"{reverse('security:otp_enrol')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in _devices(request.user) if d.verify_token(form.cleaned_data["token"])), None)
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            request.session[security.SECOND_FACTOR_KEY] = True
            security.record_event("otp_verified", request, user=request.user)
            return redirect(_next_url(request))
        security.record_event("otp_failed", request, user=request.user)
        form.add_error("token", "Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trên ứng dụng.")
    return render(request, "security/otp_verify.html", {"form": form, "next": _next_url(request, "")})


@never_cache
@login_required
def otp_enrol(request):
    user = request.user
    if not user.is_staff:
        raise PermissionDenied
    has_device = _devices(user).exists()
    if has_device and not user.is_verified():
        # Replacing a device needs the current one first (a stolen password alone cannot swap it).
        return redirect(f"{reverse('security:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
    if user.is_superuser and not has_device and not settings.PORTAL_OTP_SELF_ENROL_SUPERUSERS:
        return render(request, "security/otp_enrol_by_operator.html", status=403)

    key = request.session.get(PENDING_KEY)
    if not key:
        key = random_hex(20)
        request.session[PENDING_KEY] = key
    device = TOTPDevice(user=user, name="Ứng dụng xác thực", key=key)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        if totp.verify(int(form.cleaned_data["token"]), device.tolerance):
            device.last_t = totp.t()
            device.confirmed = True
            device.save()
            _devices(user).exclude(pk=device.pk).delete()
            del request.session[PENDING_KEY]
            request.session.cycle_key()
            otp_login(request, device)
            request.session[security.SECOND_FACTOR_KEY] = True
            security.record_event("otp_enrolled", request, user=user)
            messages.success(request, "Đã bật xác thực hai bước cho tài khoản.")
            return redirect(_next_url(request))
        form.add_error("token", "Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và nhập mã mới.")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308 - our own SVG, made from our own key
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "has_device": has_device,
        "next": _next_url(request, ""),
    }
    return render(request, "security/otp_enrol.html", context)
