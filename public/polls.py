"""Voting in a public poll: one vote per visitor.

Three locks, each for a different visitor: a logged-in account has a database constraint (Vote.vote_one_per_user);
an anonymous browser carries a signed voter cookie whose token is unique per poll (Vote.vote_one_per_voter); a
browser that drops its cookies meets a rate limit per hashed IP address held in the cache. Tallies are counted
from vote rows, so concurrent clicks can neither lose nor double a vote.
"""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from portal.cache import CacheUnavailable

from .counters import bump, client_ip, hashed
from .models import Choice, Poll, Vote

VOTER_COOKIE = "htx_voter"
VOTER_SALT = "portal.poll.voter"


class VoteRefused(Exception):
    """The vote was not recorded; the message says why, in Vietnamese."""


def voter_token(request) -> str | None:
    return request.get_signed_cookie(VOTER_COOKIE, default=None, salt=VOTER_SALT)


def new_voter_token() -> str:
    return secrets.token_urlsafe(18)


def set_voter_cookie(response, token: str) -> None:
    response.set_signed_cookie(
        VOTER_COOKIE,
        token,
        salt=VOTER_SALT,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )


def voter_key_for(*, user, token: str | None) -> str | None:
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"c{token}" if token else None


def has_voted(*, poll: Poll, user, token: str | None) -> bool:
    key = voter_key_for(user=user, token=token)
    return bool(key) and Vote.objects.filter(poll=poll, voter_key=key).exists()


def poll_vote(*, poll: Poll, choice_id, user, token: str, ip: str, now=None) -> Vote:
    """Record one vote or raise VoteRefused."""
    now = now or timezone.now()
    if not poll.is_open(now):
        raise VoteRefused("Cuộc thăm dò này không nhận bình chọn lúc này.")
    # ASCII digits only, and few of them: "²" passes isdigit() but not int(), and 10,000 zeros pass both but
    # overflow the database (both were server errors, found by tests/security/test_fuzz_forms.py).
    key = str(choice_id or "")
    valid = key.isascii() and key.isdigit() and len(key) <= 18
    choice = Choice.objects.filter(poll=poll, pk=int(key)).first() if valid else None
    if choice is None:
        raise VoteRefused("Vui lòng chọn một phương án.")
    voter_key = voter_key_for(user=user, token=token)
    if Vote.objects.filter(poll=poll, voter_key=voter_key).exists():
        raise VoteRefused("Bạn đã bình chọn trong cuộc thăm dò này. Cảm ơn bạn!")
    ip_hash = hashed("poll", ip)
    limit_key = f"portal:poll:{poll.pk}:ip:{ip_hash}"
    try:
        # Fails closed: without the cache nothing stops a browser that drops its cookies from voting again.
        votes_from_ip = bump(limit_key, settings.PORTAL_POLL_IP_WINDOW, strict=True)
    except CacheUnavailable:
        raise VoteRefused(
            "Hệ thống tạm thời chưa nhận được bình chọn. Vui lòng thử lại sau ít phút; xin lỗi vì sự bất tiện này."
        ) from None
    if votes_from_ip > settings.PORTAL_POLL_VOTES_PER_IP:
        raise VoteRefused("Địa chỉ mạng của bạn đã bình chọn quá nhiều lần cho cuộc thăm dò này. Vui lòng thử lại sau.")
    try:
        with transaction.atomic():
            return Vote.objects.create(
                poll=poll,
                choice=choice,
                user=user if user is not None and user.is_authenticated else None,
                voter_key=voter_key,
                ip_hash=ip_hash,
            )
    except IntegrityError:
        try:
            cache.decr(limit_key)
        except ValueError:
            pass
        raise VoteRefused("Bạn đã bình chọn trong cuộc thăm dò này. Cảm ơn bạn!") from None


def vote_from_request(request, poll: Poll, choice_id) -> tuple[Vote, str]:
    token = voter_token(request) or new_voter_token()
    vote = poll_vote(poll=poll, choice_id=choice_id, user=request.user, token=token, ip=client_ip(request))
    return vote, token


def poll_results(poll: Poll) -> dict:
    """Choices with their vote counts and shares (one query), counted from the vote rows."""
    choices = list(poll.choices.annotate(total=Count("votes")).order_by("order", "id"))
    total = sum(c.total for c in choices)
    for c in choices:
        c.percent = round(100 * c.total / total, 1) if total else 0
    return {"choices": choices, "total": total}
