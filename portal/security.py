"""Account security: the client address behind our proxy, the lock-out backend, and the security log.

Rules: Luật An ninh mạng 2018 (Điều 26) and Nghị định 53/2022/NĐ-CP (Điều 26) require keeping logs of access to
information systems; TCVN 11930:2017 (level 2 systems) asks for lock-out after repeated failed logins, session
expiry, and a record of logins, failures and refused access. docs/security.md says how each is met.
"""

import ipaddress
import logging
from functools import lru_cache

from axes.backends import AxesBackend as BaseAxesBackend
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

from . import account_lock, staffcache
from .models import SecurityEvent

log = logging.getLogger("portal.security")

# Session keys this module owns.
LOGIN_AT_KEY = "portal.login_at"
TOUCHED_AT_KEY = "portal.touched_at"
SECOND_FACTOR_KEY = "portal.second_factor"
EXPIRED_KEY = "portal_session_expired"  # read by templates/registration/login.html


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple:
    """PORTAL_TRUSTED_PROXIES as networks: an address is a network of one, 10.0.0.0/8 a range of balancers."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in trusted if item.strip())


def _is_trusted(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(tuple(settings.PORTAL_TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The address of the client as the first of our proxies saw it.

    Each proxy appends the address it saw to X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`), so the client
    is found by walking the header from the right, starting from REMOTE_ADDR: while the address in hand is one of
    our proxies (PORTAL_TRUSTED_PROXIES, addresses or networks) and fewer than PORTAL_TRUSTED_PROXY_COUNT hops were
    taken, the next entry to the left is what that proxy saw. The walk stops at the first address that is not a
    proxy of ours, so what a client wrote itself (to the left) is never reached: a forged X-Forwarded-For cannot
    change who is counted by the lock-out, the poll and contact limits, or written in the log. With a balancer in
    front of nginx: the balancer's addresses in the list and a count of 2. A request that reached nginx without
    the balancer stops at its own address. Garbage in the header stops the walk at the proxy that passed it on.
    """
    meta = getattr(request, "META", {}) or {}
    address = _valid_ip(meta.get("REMOTE_ADDR"))
    if address is None:
        return None
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for _ in range(max(settings.PORTAL_TRUSTED_PROXY_COUNT, 0)):
        if not hops or not _is_trusted(address):
            break
        seen = _valid_ip(hops.pop())
        if seen is None:
            break
        address = seen
    return address


ACCOUNT_LOCKED_ATTR = "portal_account_locked"  # set on a request refused because the account is locked


class AxesBackend(BaseAxesBackend):
    """The lock checks, before any password is looked at.

    First the per-username ceiling (portal.account_lock): a locked account is refused whatever the password, on
    every path (`client.login` and the shell too). Then django-axes' per-username-and-address lock-out; an
    authenticate() call with no request is not a login over HTTP, so axes leaves it to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and account_lock.login_is_locked(str(username)):
            if request is not None:
                setattr(request, ACCOUNT_LOCKED_ATTR, True)
                request.axes_locked_out = True  # AxesMiddleware then answers with lockout_response below
                request.axes_credentials = {"username": username}
            raise PermissionDenied("account locked")
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's permissions (this backend is one, and is asked first), kept in the cache under the staff
        version (portal.staffcache): two queries fewer on every staff page. Every check is still made."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):

            def build():
                return self.get_user_permissions(user_obj), self.get_group_permissions(user_obj)

            own, from_groups = staffcache.permissions(user_obj, build)
            user_obj._user_perm_cache, user_obj._group_perm_cache = set(own), set(from_groups)
            user_obj._perm_cache = {*own, *from_groups}
        return user_obj._perm_cache


def record_event(kind: str, request=None, *, user=None, username: str = "", detail: str = "") -> None:
    """Write one row of the security log; never lets a logging problem break the request."""
    meta = getattr(request, "META", {}) or {}
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    try:
        SecurityEvent.objects.create(
            kind=kind,
            user=user,
            username=(username or (user.get_username() if user else ""))[:150],
            ip_address=client_ip(request) if request is not None else None,
            path=(getattr(request, "path", "") or "")[:300],
            user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
            detail=detail[:300],
        )
    except Exception:  # noqa: BLE001 - the log must never turn a request into a 500
        log.exception("could not record security event %s", kind)


@receiver(user_logged_in, dispatch_uid="portal.security.logged_in")
def _on_login(sender, request, user, **kwargs):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = getattr(request, "session", None)
    if session is not None:
        now = int(timezone.now().timestamp())
        session[LOGIN_AT_KEY] = now
        session[TOUCHED_AT_KEY] = now
        required = (user.is_superuser and settings.PORTAL_OTP_REQUIRED_FOR_SUPERUSERS) or (
            user.is_staff and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        )
        session[SECOND_FACTOR_KEY] = bool(required)
    record_event("login", request, user=user)


@receiver(user_logged_out, dispatch_uid="portal.security.logged_out")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event("logout", request, user=user)


@receiver(user_login_failed, dispatch_uid="portal.security.login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    if request is None:
        return  # not a login over HTTP
    record_event("login_failed", request, username=username)
    if username and not getattr(request, ACCOUNT_LOCKED_ATTR, False):
        try:
            locked = account_lock.login_failure_noted(username=username)
        except Exception:  # noqa: BLE001 - a failed count must not turn the login page into a 500
            log.exception("could not check the failure ceiling of %s", username)
            locked = False
        if locked:  # this very attempt answers with the page that says what to do
            setattr(request, ACCOUNT_LOCKED_ATTR, True)
            request.axes_locked_out = True


def _on_locked_out(sender, request, username, ip_address, **kwargs):
    record_event("locked_out", request, username=username or "", detail=f"IP {ip_address}")


def connect_axes_signal():
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="portal.security.locked_out")


connect_axes_signal()


def lockout_response(request, original_response=None, credentials=None):
    """The Vietnamese lock-out page, saying for how long and what to do: HTTP 429 for axes' lock of a username from
    one address; HTTP 403 with whom to contact for an account locked by the per-username ceiling."""
    from django.shortcuts import render

    username = str((credentials or {}).get("username", "") or request.POST.get("username", ""))[:150]
    if getattr(request, ACCOUNT_LOCKED_ATTR, False):
        return render(request, "security/account_locked.html", {"username": username}, status=403)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"username": username, "failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "security/lockout.html", context, status=429)


class MinimumLengthValidator:
    """Django's minimum length rule, with the Vietnamese message Django's own translation lacks."""

    def __init__(self, min_length=10):
        self.min_length = min_length

    def validate(self, password, user=None):
        from django.core.exceptions import ValidationError

        if len(password) < self.min_length:
            raise ValidationError(
                f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự.",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự."
