"""One inbox per user (/thong-bao/): the unread count in the header, opening marks read, marking all read, nobody
sees or marks another's notifications, and a page costs the same queries whatever the inbox holds."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.models import Notification
from portal.notify import notify


def _unread_badge(html: str):
    found = re.search(r'class="unread-count"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else None


def _count_queries(queries) -> int:
    """The unread counts among `queries` (the inbox's own paginator counts all of the user's rows: not these)."""
    return sum(
        1
        for q in queries
        if "portal_notification" in q["sql"] and "COUNT(" in q["sql"].upper() and '"read_at" IS NULL' in q["sql"]
    )


@pytest.fixture
def inbox(officer_hong_dan, officer_dong_hai):
    notify([officer_hong_dan], title="Quá hạn nộp báo cáo: Báo cáo năm 2025", link="/bao-cao/")
    notify([officer_hong_dan], title="Sắp đến hạn nộp: Báo cáo quý II", link="/bao-cao/yeu-cau/1/")
    notify([officer_dong_hai], title="Thông báo riêng của Đông Hải", link="/bao-cao/")
    return Notification.objects.filter(user=officer_hong_dan)


def test_the_header_shows_the_unread_count_and_opening_marks_read(client, officer_hong_dan, inbox):
    client.force_login(officer_hong_dan)
    page = client.get("/thong-bao/").content.decode()
    assert _unread_badge(page) == 2
    assert "Báo cáo quý II" in page and "Thông báo riêng của Đông Hải" not in page
    first = inbox.get(title__contains="Báo cáo quý II")
    response = client.post(f"/thong-bao/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/bao-cao/yeu-cau/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert _unread_badge(client.get("/bao-cao/").content.decode()) == 1  # the cached count was dropped


def test_mark_all_read_touches_only_ones_own(client, officer_hong_dan, officer_dong_hai, inbox):
    client.force_login(officer_hong_dan)
    assert client.post("/thong-bao/da-doc/").status_code == 302
    assert not inbox.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(user=officer_dong_hai, read_at__isnull=True).count() == 1
    assert _unread_badge(client.get("/thong-bao/").content.decode()) is None


def test_a_user_cannot_see_or_open_anothers_notification(client, officer_dong_hai, inbox):
    client.force_login(officer_dong_hai)
    page = client.get("/thong-bao/").content.decode()
    assert "Báo cáo quý II" not in page and "Thông báo riêng của Đông Hải" in page
    other = inbox.first()
    assert client.post(f"/thong-bao/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_marking_read_needs_a_post_with_the_csrf_token(officer_hong_dan, inbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_hong_dan)
    assert client.get(f"/thong-bao/{inbox.first().pk}/").status_code == 405
    assert client.post(f"/thong-bao/{inbox.first().pk}/").status_code == 403
    assert client.post("/thong-bao/da-doc/").status_code == 403
    assert inbox.filter(read_at__isnull=True).count() == 2


def test_a_link_elsewhere_is_never_followed(client, officer_hong_dan):
    notify([officer_hong_dan], title="Lạ", link="//evil.example/")
    client.force_login(officer_hong_dan)
    response = client.post(f"/thong-bao/{Notification.objects.get(title='Lạ').pk}/")
    assert response["Location"] == "/thong-bao/"


def test_anonymous_visitors_are_sent_to_log_in_and_see_no_count(client, demo):
    assert client.get("/thong-bao/")["Location"].startswith("/dang-nhap/")
    assert "unread-count" not in client.get("/lien-he/").content.decode()


@pytest.mark.parametrize("path", ["/thong-bao/", "/bao-cao/"])
def test_a_page_costs_the_same_queries_whatever_the_inbox_holds(client, officer_hong_dan, path):
    from django.core.cache import cache

    from portal import staffcache

    client.force_login(officer_hong_dan)
    counts = []
    for size in (1, 30):
        Notification.objects.filter(user=officer_hong_dan).delete()
        for n in range(size):
            notify([officer_hong_dan], title=f"Nhắc việc số {n}", link="/bao-cao/")
        cache.clear()
        client.get(path)  # warm what the session and site settings cache
        # the count forgotten, as portal.notify forgets it (with the user's kept staff pages)
        cache.delete_many([f"portal:unread:{officer_hong_dan.pk}", staffcache.user_key(officer_hong_dan.pk)])
        with CaptureQueriesContext(connection) as cold:
            page = client.get(path).content.decode()
        with CaptureQueriesContext(connection) as warm:
            client.get(path)
        assert _unread_badge(page) == size
        assert _count_queries(cold.captured_queries) == 1  # the header's count: one query per page at most
        assert _count_queries(warm.captured_queries) == 0  # and none while it is cached
        counts.append((len(cold), len(warm)))
    assert counts[0] == counts[1]
