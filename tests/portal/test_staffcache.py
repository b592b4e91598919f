"""Staff pages kept per user and session (portal.staffcache): served again without rebuilding, rebuilt when a row
changes, never to another session, and never past a permission check."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperatives.models import Cooperative
from portal.models import User
from tests.fund.factories import CooperativeFactory, LoanFactory

LOAN_BOOK = "/quy-ho-tro/quan-ly/"
COOPERATIVES = "/admin/cooperatives/cooperative/"


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def fund_client(client, fund_officer):
    client.force_login(fund_officer)
    client.get(LOAN_BOOK)  # the first answer sets the CSRF cookie; a page is kept only once the browser has it
    return client


@pytest.fixture
def staff_client(client, alliance_staff):
    client.force_login(alliance_staff)
    client.get(COOPERATIVES)
    return client


def test_a_kept_page_costs_only_the_session_and_the_user(fund_client, django_assert_max_num_queries):
    first = fund_client.get(LOAN_BOOK)
    with django_assert_max_num_queries(2):  # the session and the user: no permission query, no page query
        again = fund_client.get(LOAN_BOOK)
    assert again.status_code == 200 and again.content == first.content


def test_a_saved_row_makes_every_kept_page_stale(fund_client, staff_client):
    cooperative = LoanFactory().cooperative
    fund_client.get(LOAN_BOOK)
    assert "Hợp tác xã Đổi Tên Thử" not in fund_client.get(LOAN_BOOK).content.decode()
    cooperative.name = "Hợp tác xã Đổi Tên Thử"
    cooperative.save()
    assert "Hợp tác xã Đổi Tên Thử" in fund_client.get(LOAN_BOOK).content.decode()
    assert "Hợp tác xã Đổi Tên Thử" in staff_client.get(COOPERATIVES, {"q": "Đổi Tên Thử"}).content.decode()


def test_a_write_without_signals_is_seen_once_it_bumps_the_version(staff_client):
    from portal import staffcache

    cooperative = CooperativeFactory(name="Hợp tác xã Trước Khi Đổi")
    staff_client.get(COOPERATIVES)
    Cooperative.objects.filter(pk=cooperative.pk).update(name="Aaa hợp tác xã cập nhật hàng loạt")
    assert "Aaa hợp tác xã cập nhật hàng loạt" not in staff_client.get(COOPERATIVES).content.decode()  # kept
    staffcache.bump()
    assert "Aaa hợp tác xã cập nhật hàng loạt" in staff_client.get(COOPERATIVES).content.decode()


def test_another_session_of_the_same_user_gets_a_page_of_its_own(staff_client, alliance_staff):
    mine = staff_client.get(COOPERATIVES).content.decode()
    other = Client()
    other.force_login(alliance_staff)
    theirs = other.get(COOPERATIVES).content.decode()
    assert _csrf_token(theirs) != _csrf_token(mine)
    # the other session's form token is accepted with its own cookie: an action runs
    response = other.post(COOPERATIVES, {"action": "export_selected_xlsx", "csrfmiddlewaretoken": _csrf_token(theirs)})
    assert response.status_code in (200, 302)


def test_another_user_never_gets_a_kept_page(staff_client, alliance_staff, officer_hong_dan):
    mine = staff_client.get("/bao-cao/").content.decode()
    staff_client.get("/bao-cao/")
    officer = Client()
    officer.force_login(officer_hong_dan)
    officer.get("/bao-cao/")
    theirs = officer.get("/bao-cao/").content.decode()
    assert theirs != mine and officer_hong_dan.agency.name in theirs


def test_a_permission_taken_away_is_refused_though_the_page_was_kept(fund_client, fund_officer):
    assert fund_client.get(LOAN_BOOK).status_code == 200
    view_loan = Permission.objects.get(content_type__app_label="fund", codename="view_loan")
    for group in fund_officer.groups.all():
        group.permissions.remove(view_loan)
    fund_officer.user_permissions.remove(view_loan)
    assert fund_client.get(LOAN_BOOK).status_code == 403


def test_a_group_taken_away_is_refused_on_the_admin_changelist(staff_client, alliance_staff):
    assert staff_client.get(COOPERATIVES).status_code == 200
    alliance_staff.groups.clear()
    assert staff_client.get(COOPERATIVES).status_code == 403


def test_messages_waiting_are_shown_on_a_fresh_page_then_the_kept_one_returns(staff_client):
    kept = staff_client.get(COOPERATIVES).content
    # an action with no row selected: the admin says so on the next page
    response = staff_client.post(COOPERATIVES, {"action": "export_selected_xlsx", "index": "0"}, follow=True)
    assert 'class="messagelist"' in response.content.decode()
    after = staff_client.get(COOPERATIVES).content
    assert after == kept  # the message is shown once, and the kept page never carried it


def test_a_new_day_rebuilds_the_page(staff_client, monkeypatch):
    staff_client.get(COOPERATIVES)
    with CaptureQueriesContext(connection) as same_day:
        staff_client.get(COOPERATIVES)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2099, 1, 1))
    with CaptureQueriesContext(connection) as next_day:
        staff_client.get(COOPERATIVES)
    assert len(same_day.captured_queries) <= 2 < len(next_day.captured_queries)


def test_a_permission_a_group_gains_counts_at_the_next_request(staff_client, alliance_staff):
    assert not User.objects.get(pk=alliance_staff.pk).has_perm("portal.delete_sitesettings")
    group = alliance_staff.groups.first()
    group.permissions.add(Permission.objects.get(content_type__app_label="portal", codename="delete_sitesettings"))
    assert User.objects.get(pk=alliance_staff.pk).has_perm("portal.delete_sitesettings")


def test_a_new_notification_shows_in_the_header_of_a_kept_page(fund_client, fund_officer):
    from portal.notify import notify

    before = fund_client.get(LOAN_BOOK).content.decode()
    assert fund_client.get(LOAN_BOOK).content.decode() == before
    notify([fund_officer], title="Hồ sơ vay mới cần thẩm định")
    after = fund_client.get(LOAN_BOOK).content.decode()
    unread = fund_officer.notifications.filter(read_at__isnull=True).count()
    assert f'aria-label="{unread} chưa đọc"' in after and f'aria-label="{unread} chưa đọc"' not in before


def test_signing_in_does_not_make_the_kept_pages_stale(staff_client, alliance_staff):
    staff_client.get(COOPERATIVES)
    Client().force_login(alliance_staff)  # another sign-in: last_login saved
    with CaptureQueriesContext(connection) as after_sign_in:
        staff_client.get(COOPERATIVES)
    assert len(after_sign_in.captured_queries) <= 2
