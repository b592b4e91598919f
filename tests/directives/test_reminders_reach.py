"""Reminders that reach people: every link in every reminder and digest e-mail is absolute (on the configured site),
a returned report is reminded, the alliance staff get their digest, an agency with no address is reached through
its officers, and every reminder lands in its people's inbox."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cooperatives.models import Congress, ImportJob
from cooperatives.services import congress_reminders_send
from directives.models import Reminder
from directives.services import (
    agency_recipients,
    digests_send,
    reminders_send,
    report_transition,
    staff_digests_send,
)
from portal.models import AdministrativeUnit, Notification
from tests.cooperatives.factories import CongressFactory, CooperativeFactory
from tests.fund.factories import booked_loan
from tests.properties import examples

from .factories import assignment, filled_report, report_request

ON = date(2026, 5, 4)  # a Monday


@pytest.fixture
def world(hong_dan, dong_hai, officer_hong_dan, officer_dong_hai, alliance_staff, fund_officer):
    """Something for every kind of mail to say on ON: a request due soon, one overdue, one returned, a task overdue,
    a report to review, a congress overdue, a loan overdue, an import that failed."""
    report_request([hong_dan, dong_hai], title="Báo cáo quý II", deadline=ON + timedelta(days=2))
    report_request([dong_hai], title="Báo cáo năm 2025", deadline=ON - timedelta(days=20))
    returned = report_request([hong_dan], title="Báo cáo 6 tháng", deadline=ON - timedelta(days=3))
    report = filled_report(returned, hong_dan)
    report_transition(report=report, action="submit", by=officer_hong_dan)
    report_transition(report=report, action="return", by=alliance_staff, comment="Thiếu số liệu thành viên")
    waiting = report_request([dong_hai], title="Báo cáo chuyên đề", deadline=ON + timedelta(days=30))
    report_transition(report=filled_report(waiting, dong_hai), action="submit", by=officer_dong_hai)
    assignment(hong_dan, deadline=ON - timedelta(days=10))
    coop = CooperativeFactory(
        name="Hợp tác xã Nông nghiệp Ninh Quới", unit=AdministrativeUnit.objects.get(code="956-02")
    )
    CongressFactory(cooperative=coop, kind=Congress.Kind.TERM, held_date=date(2024, 1, 10))
    CongressFactory(cooperative=coop, fiscal_year=2024, held_date=date(2025, 3, 1))  # fiscal 2025 due 30/04/2026
    booked_loan(by=fund_officer)  # 12 months from 15/01/2024 and nothing repaid: overdue on ON
    ImportJob.objects.create(
        resource="cooperatives", file="nhap-du-lieu/loi.xlsx", original_name="danh-sach-htx.xlsx", status="failed"
    )


def send_every_kind(on=ON):
    """Every reminder and digest, e-mailed as they leave on commit; returns the messages."""
    mail.outbox = []
    reminders_send(on=on)
    digests_send(on=on)
    staff_digests_send(on=on)
    congress_reminders_send(on=on)
    return list(mail.outbox)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src", "action") and value is not None]

    def handle_data(self, data):
        self.text.append(data)


URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s<>\"')]+", re.IGNORECASE)
# A bare path in running text: a slash that starts a token (not a date's or a document number's, "15/01/2023",
# "1047/UBND-KT"), or "www." without a scheme.
BARE = re.compile(r"(?:^|[\s(\[<\"':])(/[\w\-.~%]|www\.)", re.UNICODE)


def link_problems(message, site: str) -> list[str]:
    """Every link of the text and HTML parts that is not an absolute URL on `site`."""
    problems = []
    parts = [("text", message.body)] + [("html", content) for content, mime in message.alternatives]
    assert [kind for kind, _ in parts] == ["text", "html"], "a reminder has a text and an HTML part"
    for kind, content in parts:
        text = content
        if kind == "html":
            parser = Links()
            parser.feed(content)
            for href in parser.links:
                if not href.startswith(site + "/"):
                    problems.append(f"{kind} href {href!r}")
            text = " ".join(parser.text)
        urls = URL.findall(text)
        for url in urls:
            if not url.startswith(site + "/"):
                problems.append(f"{kind} url {url!r}")
        bare = BARE.findall(URL.sub(" ", text))
        problems += [f"{kind} bare path {token!r} in {message.subject!r}" for token in bare]
        if kind == "text" and not urls:
            problems.append(f"no link at all in {message.subject!r}")
    return problems


class Rollback(Exception):
    pass


site_urls = st.builds(
    lambda scheme, host, port, prefix, slash: f"{scheme}://{host}{port}{prefix}{slash}",
    st.sampled_from(["http", "https"]),
    st.one_of(
        st.from_regex(r"[a-z][a-z0-9-]{0,12}(\.[a-z][a-z0-9-]{0,8}){0,2}\.vn", fullmatch=True),
        st.sampled_from(["localhost", "127.0.0.1", "[::1]", "htx.baclieu.gov.vn"]),
    ),
    st.one_of(st.just(""), st.integers(1, 65535).map(lambda port: f":{port}")),
    st.one_of(st.just(""), st.from_regex(r"(/[a-z0-9-]{1,10}){1,2}", fullmatch=True)),
    st.sampled_from(["", "/"]),
)


@given(site_url=site_urls)
@example(site_url="https://htx.baclieu.gov.vn")
@example(site_url="http://127.0.0.1:8443/cong-htx/")
@settings(max_examples=examples(12))
def test_every_link_in_every_reminder_and_digest_is_absolute(world, django_capture_on_commit_callbacks, site_url):
    site = site_url.rstrip("/")
    with override_settings(PORTAL_SITE_URL=site_url):
        try:
            with transaction.atomic():  # each example sends afresh: the reminders of the last one roll back
                with django_capture_on_commit_callbacks(execute=True):
                    send_every_kind()
                messages = list(mail.outbox)
                raise Rollback
        except Rollback:
            pass
    subjects = " | ".join(m.subject for m in messages)
    for needle in ("Sắp đến hạn nộp", "Quá hạn nộp báo cáo", "bị trả lại", "Quá hạn nhiệm vụ", "Tổng hợp việc cần làm"):
        assert needle in subjects, f"no {needle!r} mail among {subjects}"
    assert "Việc chờ Liên minh xử lý" in subjects and "Nhắc đại hội" in subjects
    problems = [problem for message in messages for problem in link_problems(message, site)]
    assert problems == []
    hrefs = [href for m in messages for content, _ in m.alternatives for href in re.findall(r'href="([^"]+)"', content)]
    assert all(urlsplit(href).netloc == urlsplit(site).netloc for href in hrefs)


def test_a_bare_path_is_caught(world, django_capture_on_commit_callbacks, settings):
    """The checker itself: a path in the text, an href without the site, a URL on another host are all reported."""
    settings.PORTAL_SITE_URL = "https://htx.example.vn"
    message = mail.EmailMultiAlternatives("Nhắc", "Mở /bao-cao/yeu-cau/2/ hoặc https://htx.example.vn/bao-cao/")
    message.attach_alternative('<a href="/bao-cao/">x</a> <a href="https://other.vn/">y</a>', "text/html")
    assert len(link_problems(message, "https://htx.example.vn")) == 3


def test_a_returned_report_near_or_past_its_deadline_is_reminded_once_per_return(
    hong_dan, officer_hong_dan, alliance_staff, django_capture_on_commit_callbacks
):
    request = report_request([hong_dan], deadline=ON - timedelta(days=1))
    report = filled_report(request, hong_dan)
    report_transition(report=report, action="submit", by=officer_hong_dan)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=ON) == 0  # submitted: nothing to remind
        report_transition(report=report, action="return", by=alliance_staff, comment="Bổ sung số thành viên")
        assert reminders_send(on=ON) == 1
        assert reminders_send(on=ON + timedelta(days=1)) == 0  # the same return: once
        report_transition(report=report, action="submit", by=officer_hong_dan)
        assert reminders_send(on=ON + timedelta(days=2)) == 0
        report_transition(report=report, action="return", by=alliance_staff, comment="Còn thiếu phụ lục")
        assert reminders_send(on=ON + timedelta(days=3)) == 1  # a second return is a stage of its own
    keys = list(Reminder.objects.order_by("pk").values_list("key", flat=True))
    assert len(keys) == 2 and all(key.startswith(f"request:{request.pk}:returned:") for key in keys)
    assert [m.subject for m in mail.outbox] == [f"Báo cáo bị trả lại, cần nộp lại: {request.title}"] * 2
    assert "Bổ sung số thành viên" in mail.outbox[0].body and "Còn thiếu phụ lục" in mail.outbox[1].body


def test_the_alliance_staff_digest_lists_what_waits_with_absolute_links(
    world, alliance_staff, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_SITE_URL = "https://htx.baclieu.example.vn"
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(on=ON) == 1  # one staff account in the demo
        assert staff_digests_send(on=ON + timedelta(days=2)) == 0  # once a week
    [message] = mail.outbox
    assert message.to == [alliance_staff.email]
    body = message.body
    for heading in ("Báo cáo chờ xem xét (1)", "Đại hội quá hạn (1)", "Khoản vay quá hạn (1)", "bị lỗi trong 7 ngày"):
        assert heading in body
    assert "Báo cáo chuyên đề" in body and "Ninh Quới" in body and "danh-sach-htx.xlsx" in body
    assert "https://htx.baclieu.example.vn/bao-cao/so/" in body
    assert "https://htx.baclieu.example.vn/hop-tac-xa/quan-ly/htx-so-" in body
    assert "https://htx.baclieu.example.vn/quy-ho-tro/quan-ly/ho-so/" in body
    assert "https://htx.baclieu.example.vn/hop-tac-xa/quan-ly/nhap-du-lieu/" in body
    assert link_problems(message, "https://htx.baclieu.example.vn") == []
    assert Notification.objects.filter(user=alliance_staff, title=message.subject).count() == 1


def test_the_staff_digest_is_not_sent_when_nothing_waits(alliance_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(on=ON) == 0
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_the_staff_digest_is_scheduled_weekly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["directives-staff-digest"]
    assert entry["task"] == "directives.send_staff_digests"


def test_an_agency_without_an_address_is_reached_through_its_active_officers(
    hong_dan, officer_hong_dan, django_capture_on_commit_callbacks
):
    from portal.models import User

    hong_dan.email = ""
    hong_dan.save()
    User.objects.create(username="cu", email="nguoi.cu@example.vn", agency=hong_dan, is_active=False)
    User.objects.create(username="khongthu", email="", agency=hong_dan)
    second = User.objects.create(username="pho", email="pho.phong@example.vn", agency=hong_dan)
    assert agency_recipients(hong_dan) == sorted([officer_hong_dan.email, second.email])
    report_request([hong_dan], deadline=ON - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=ON) == 1
    assert sorted(mail.outbox[0].to) == sorted([officer_hong_dan.email, second.email])


def test_an_agency_with_an_address_is_written_to_there(hong_dan, officer_hong_dan, django_capture_on_commit_callbacks):
    hong_dan.email = "vanphong@honddan.example.vn"
    hong_dan.save()
    report_request([hong_dan], deadline=ON - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(on=ON)
    assert mail.outbox[0].to == ["vanphong@honddan.example.vn"]
    # and the officers find it in their inbox
    assert Notification.objects.filter(user=officer_hong_dan, link__startswith="/bao-cao/yeu-cau/").count() == 1


def test_every_demo_agency_has_an_address(demo):
    from portal.models import Agency

    assert not Agency.objects.filter(email="").exists()
    assert all(
        re.fullmatch(r"[a-z]+(\.[a-z]+)?@baclieu\.example\.vn", e)
        for e in Agency.objects.values_list("email", flat=True)
    )
