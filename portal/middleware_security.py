"""Security middleware: the CSP with its admin exception, the Permissions-Policy, session expiry, the second-factor
gate, refusal log.

None of them queries the database on an ordinary request: they read the session the authentication middleware
loads anyway, and write only when something happens (a refresh at most every 5 minutes, a logout, a refusal).
"""

import base64
import hashlib
import time

from csp.constants import HEADER, HEADER_REPORT_ONLY, UNSAFE_HASHES, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.contrib.auth import logout
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import security

ADMIN_PREFIX = "/admin/"

# django-import-export's export page (admin/import_export/export.html) has one inline handler; allowing exactly
# that string by hash on admin pages is narrower than 'unsafe-inline' (tests check the hash still matches).
IMPORT_EXPORT_HANDLERS = ["onSelectToggleChange(event)"]


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


ADMIN_CSP_UPDATE = {
    # Django's change list writes a <style> block when it has no actions; import-export and simple-history
    # put style="" attributes in their admin templates. Only the admin gets this, never the public site.
    "style-src": [UNSAFE_INLINE],
    "script-src": [UNSAFE_HASHES, *[csp_hash(source) for source in IMPORT_EXPORT_HANDLERS]],
}


# What a view may set on its response to change its own policy (django-csp's decorators); a response carrying any
# of them gets its header built by django-csp itself.
_PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip


_FIXED_CSP: dict = {}  # admin path or not -> the headers


@receiver(setting_changed)
def _forget_fixed_csp(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _FIXED_CSP.clear()


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp with a per-path exception for the admin's inline styles.

    django-csp builds the header anew for every response (about 50 µs, the dearest middleware of a cached page:
    docs/performance.md), though without a nonce or a view's own decorator it can only be one of two strings, the
    admin's and the rest's. Those are built once (by django-csp, for a blank response) and kept, per policy setting
    (a test that overrides the setting drops them); a response that uses a nonce or a decorator, or one with the
    header already set, goes through django-csp as before."""

    def process_response(self, request, response):
        if (
            isinstance(getattr(request, "_csp_nonce", None), str)
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        admin = request.path_info.startswith(ADMIN_PREFIX)
        headers = _FIXED_CSP.get(admin)
        if headers is None:
            policies = (
                getattr(settings, "CONTENT_SECURITY_POLICY", None),
                getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
            )
            if any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies if policy):
                return super().process_response(request, response)  # the header then depends on the path
            blank = super().process_response(request, HttpResponse())
            headers = [(name, blank[name]) for name in (HEADER, HEADER_REPORT_ONLY) if name in blank]
            _FIXED_CSP[admin] = headers
        for name, value in headers:
            response[name] = value
        if getattr(request, "_csp_nonce", None) is None:  # as django-csp: a nonce asked for after this is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and parts.update is None:
            parts.update = ADMIN_CSP_UPDATE
        return parts


# Browser features the site never uses, denied to every page and to anything embedded in one: a script slipped in
# (or a compromised vendor file) cannot ask for the camera or a payment. No page of ours plays media, reads sensors,
# locates the reader or uses WebAuthn (the second factor is TOTP); Trix pastes through ordinary paste events, so the
# clipboard is left alone.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics", "camera",
        "display-capture", "encrypted-media", "gamepad", "geolocation", "gyroscope", "hid", "idle-detection",
        "local-fonts", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every response, static files included (it sits above WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _has_session_cookie(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class SessionExpiryMiddleware:
    """Idle and absolute session expiry.

    Idle: SESSION_COOKIE_AGE is the idle age; the session is re-saved (its expiry pushed back) when it was last
    refreshed more than PORTAL_SESSION_REFRESH_SECONDS ago, so an active user stays in and a request does not
    write the session every time. Absolute: PORTAL_SESSION_ABSOLUTE_SECONDS after login the user is logged out,
    however active (a stolen session cookie does not live forever).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_session_cookie(request):
            session = request.session
            login_at = session.get(security.LOGIN_AT_KEY)
            if login_at is not None or "_auth_user_id" in session:
                now = int(time.time())
                if login_at is None or now - int(login_at) > settings.PORTAL_SESSION_ABSOLUTE_SECONDS:
                    user = request.user
                    security.record_event("session_expired", request, user=user)
                    logout(request)
                    request.session[security.EXPIRED_KEY] = True  # the login page says why
                elif now - int(session.get(security.TOUCHED_AT_KEY, 0)) > settings.PORTAL_SESSION_REFRESH_SECONDS:
                    session[security.TOUCHED_AT_KEY] = now
        return self.get_response(request)


# Paths a user who still owes the second factor may open.
def _exempt_prefixes():
    return (
        settings.STATIC_URL,
        settings.MEDIA_URL,
        "/healthz",
        reverse("login"),
        reverse("logout"),
        reverse("security:otp_verify"),
        reverse("security:otp_enrol"),
    )


class SecondFactorMiddleware:
    """Superusers (and staff who enrolled a device) must pass the TOTP check before anything else.

    Whether a session owes the second factor is decided at login (portal.security._on_login) and kept in the
    session, so ordinary requests make no extra query; superuser status is re-checked on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_session_cookie(request) and "_auth_user_id" in request.session:
            user = request.user
            owes = request.session.get(security.SECOND_FACTOR_KEY) or (
                user.is_superuser and settings.PORTAL_OTP_REQUIRED_FOR_SUPERUSERS
            )
            if owes and user.is_authenticated and not user.is_verified():
                if not request.path_info.startswith(_exempt_prefixes()):
                    return redirect(f"{reverse('security:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class RefusalLogMiddleware:
    """Every 403 answered (permission refused, CSRF failure) goes to the security log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            security.record_event(
                "permission_denied", request, user=user, detail=f"{request.method} {response.status_code}"
            )
        return response
