from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from public.models import Vote
from public.polls import VoteRefused, poll_results, poll_vote

from .factories import PollFactory


def _vote(client, poll, choice=None, **extra):
    choice = choice or poll.choices.first()
    return client.post(f"/tham-do/{poll.slug}/binh-chon/", {"choice": choice.pk}, follow=True, **extra)


def test_a_visitor_votes_once_and_is_refused_a_second_time(db, reader):
    poll = PollFactory()
    first = _vote(reader, poll).content.decode()
    assert "Cảm ơn bạn đã bình chọn" in first
    second = _vote(reader, poll, poll.choices.last()).content.decode()
    assert "Bạn đã bình chọn" in second
    assert Vote.objects.filter(poll=poll).count() == 1


def test_a_browser_that_drops_its_cookie_meets_the_ip_limit(db, reader, settings):
    settings.PORTAL_POLL_VOTES_PER_IP = 2
    poll = PollFactory()
    for _ in range(2):
        reader.cookies.clear()
        assert "Cảm ơn bạn đã bình chọn" in _vote(reader, poll).content.decode()
    reader.cookies.clear()
    assert "quá nhiều lần" in _vote(reader, poll).content.decode()
    reader.cookies.clear()
    assert "Cảm ơn" in _vote(reader, poll, REMOTE_ADDR="10.9.9.9").content.decode()
    assert Vote.objects.filter(poll=poll).count() == 3
    assert not Vote.objects.filter(ip_hash__contains="127.0.0.1").exists()


def test_behind_the_proxy_the_ip_limit_counts_each_visitors_address_not_the_proxys(db, reader, settings):
    """nginx connects from 127.0.0.1 for everyone; the address it saw is the last X-Forwarded-For hop."""
    settings.PORTAL_POLL_VOTES_PER_IP = 1
    poll = PollFactory()
    for visitor in ("198.51.100.1", "198.51.100.2"):
        reader.cookies.clear()
        page = _vote(reader, poll, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=visitor).content.decode()
        assert "Cảm ơn bạn đã bình chọn" in page
    reader.cookies.clear()
    forged = _vote(reader, poll, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")
    assert "quá nhiều lần" in forged.content.decode()  # a forged first hop does not make a new visitor
    assert Vote.objects.filter(poll=poll).count() == 2


def test_an_account_has_one_vote_by_database_constraint(db, editor):
    poll = PollFactory()
    choice = poll.choices.first()
    Vote.objects.create(poll=poll, choice=choice, user=editor, voter_key="u-one")
    with pytest.raises(IntegrityError):
        Vote.objects.create(poll=poll, choice=choice, user=editor, voter_key="u-other")


def test_a_logged_in_user_is_refused_whatever_cookie_they_carry(db, client, editor):
    poll = PollFactory()
    client.force_login(editor)
    _vote(client, poll)
    client.cookies.pop("htx_voter", None)
    assert "Bạn đã bình chọn" in _vote(client, poll).content.decode()
    assert Vote.objects.filter(poll=poll, user=editor).count() == 1


def test_a_closed_or_unopened_poll_takes_no_votes(db):
    closed = PollFactory(opens_at=timezone.now() - timedelta(days=5), closes_at=timezone.now() - timedelta(days=1))
    future = PollFactory(opens_at=timezone.now() + timedelta(days=1))
    for poll in (closed, future):
        with pytest.raises(VoteRefused):
            poll_vote(poll=poll, choice_id=poll.choices.first().pk, user=None, token="t", ip="1.2.3.4")


def test_a_choice_of_another_poll_or_nonsense_is_refused(db, reader):
    poll, other = PollFactory(), PollFactory()
    response = reader.post(f"/tham-do/{poll.slug}/binh-chon/", {"choice": other.choices.first().pk}, follow=True)
    assert "Vui lòng chọn một phương án" in response.content.decode()
    response = reader.post(f"/tham-do/{poll.slug}/binh-chon/", {"choice": "abc"}, follow=True)
    assert response.status_code == 200 and "Vui lòng chọn một phương án" in response.content.decode()
    assert not Vote.objects.exists()


def test_results_stay_hidden_until_closing_when_the_poll_says_so(db, reader):
    poll = PollFactory(hide_results_until_closed=True, closes_at=timezone.now() + timedelta(days=2))
    _vote(reader, poll)
    html = reader.get(poll.get_absolute_url()).content.decode()
    assert "Kết quả sẽ được công bố khi cuộc thăm dò kết thúc" in html and "<progress" not in html
    poll.closes_at = timezone.now() - timedelta(seconds=1)
    poll.save()
    html = reader.get(poll.get_absolute_url()).content.decode()
    assert "<progress" in html and "Tổng số lượt bình chọn: <strong>1</strong>" in html


def test_results_are_counted_from_vote_rows_with_shares(db):
    poll = PollFactory()
    a, b, _c = poll.choices.all()
    for i in range(3):
        Vote.objects.create(poll=poll, choice=a, voter_key=f"a{i}")
    Vote.objects.create(poll=poll, choice=b, voter_key="b")
    results = poll_results(poll)
    assert results["total"] == 4
    assert [(c.total, c.percent) for c in results["choices"]] == [(3, 75.0), (1, 25.0), (0, 0)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_neither_lose_nor_double_a_vote(redis_cache, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is measured on PostgreSQL")
    settings.PORTAL_POLL_VOTES_PER_IP = 10_000
    poll = PollFactory()
    choice = poll.choices.first()

    def click(n):
        from django.db import connections

        # 100 visitors, each double-clicking twice: 400 requests, 100 votes.
        try:
            poll_vote(poll=poll, choice_id=choice.pk, user=None, token=f"visitor-{n % 100}", ip=f"10.0.{n % 100}.1")
            return 1
        except VoteRefused:
            return 0
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=24) as pool:
        accepted = sum(pool.map(click, range(400)))
    assert accepted == 100
    assert poll_results(poll)["total"] == 100


def test_a_forged_voter_cookie_is_ignored(db, reader):
    poll = PollFactory()
    _vote(reader, poll)
    vote = Vote.objects.get()
    reader.cookies["htx_voter"] = vote.voter_key[1:]  # the raw token without its signature
    assert "Cảm ơn bạn đã bình chọn" in _vote(reader, poll).content.decode()
    assert Vote.objects.count() == 2 and len({v.voter_key for v in Vote.objects.all()}) == 2
