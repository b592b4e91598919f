"""Whole public pages served from the cache to anonymous readers (portal.pagecache), with their live parts."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from public.models import Vote
from tests.conftest import BROWSER_UA

from .factories import ArticleFactory, PollFactory


def _fresh_reader(**kwargs) -> Client:
    return Client(HTTP_USER_AGENT=BROWSER_UA, **kwargs)


def _today(html: str) -> int:
    return int(re.search(r"<dt>Hôm nay</dt><dd>([\d.]+)</dd>", html).group(1).replace(".", ""))


@pytest.fixture
def poll(db):
    return PollFactory(show_on_home=True)


def test_a_public_page_is_served_from_the_cache_with_no_query_until_content_changes(db, reader):
    article = ArticleFactory(title="Tin đầu tiên")
    reader.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert "Tin đầu tiên" in reader.get("/").content.decode()
    assert len(ctx.captured_queries) == 0
    article.title = "Tin đã sửa"
    article.save()
    assert "Tin đã sửa" in reader.get("/").content.decode()


def test_a_vote_from_a_page_served_from_the_cache_passes_the_csrf_check(poll):
    _fresh_reader().get("/tin-tuc/")  # someone else's visit builds the cached page
    reader = _fresh_reader(enforce_csrf_checks=True)
    html = reader.get("/tin-tuc/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    choice = poll.choices.first()
    response = reader.post(poll.get_absolute_url() + "binh-chon/", {"choice": choice.pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Vote.objects.filter(poll=poll).count() == 1
    # The thank-you message is shown: a reader with a pending message is not served from the cache.
    assert "Cảm ơn bạn đã bình chọn" in reader.get(response["Location"]).content.decode()
    assert "Cảm ơn bạn đã bình chọn" not in _fresh_reader().get("/tin-tuc/").content.decode()


def test_visit_statistics_stay_live_in_a_page_served_from_the_cache(db, reader):
    first = _today(reader.get("/tin-tuc/").content.decode())
    reader.get("/tin-tuc/")
    assert _today(reader.get("/tin-tuc/").content.decode()) > first


def test_a_signed_in_reader_is_never_served_the_anonymous_page(db, reader, editor):
    reader.get("/tin-tuc/")
    reader.force_login(editor)
    assert "Đăng xuất" in reader.get("/tin-tuc/").content.decode()


def _new_cooperative():
    from cooperatives.models import Cooperative
    from portal.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.filter(level="commune").first()
    Cooperative.objects.create(name="Hợp tác xã Mới Lập", slug="htx-moi-lap", sector="crops", unit=unit)


def _new_document():
    from datetime import date

    from directives.models import Document

    Document.objects.create(doc_type="cong_van", number="99/MOI-LAP", slug="99-moi-lap", issuer="UBND tỉnh",
                            issue_date=date(2024, 1, 2), summary="Văn bản Mới Lập về hợp tác xã")  # fmt: skip


@pytest.mark.parametrize(
    ("url", "create", "text"),
    [
        ("/hop-tac-xa/?sector=crops", _new_cooperative, "Hợp tác xã Mới Lập"),
        ("/van-ban/?doc_type=cong_van", _new_document, "99/MOI-LAP"),
        ("/tim-kiem/?q=moi+lap", _new_document, "Tìm thấy 1 kết quả"),
    ],
)
def test_filtered_lists_and_search_are_cached_until_content_changes(db, demo, reader, url, create, text):
    reader.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert text not in reader.get(url).content.decode()
    assert len(ctx.captured_queries) == 0
    create()
    assert text in reader.get(url).content.decode()
