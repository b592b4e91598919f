"""The open data API: each endpoint answers with the public rows, filters as the pages do, pages, validates its
caches (ETag, Last-Modified), allows GET from any origin and nothing else, limits each client, and costs the same
queries whatever the size of the registry."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperatives.models import Cooperative
from directives.models import Document
from portal.contentcache import cache_ttl
from portal.models import AdministrativeUnit, User
from public.models import Article, Poll

from .conftest import every_page

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/cooperatives/",
    "/api/v1/documents/",
    "/api/v1/news/",
    "/api/v1/polls/",
    "/api/v1/fund/products/",
    "/api/v1/units/",
    "/api/v1/agencies/",
]


def test_the_root_lists_every_dataset_and_each_list_and_item_answers(api, whole_demo):
    root = api.get("/api/v1/").json()
    assert sorted(root) == sorted(["cooperatives", "documents", "news", "polls", "fund/products", "units", "agencies"])
    for path in LISTS:
        response = api.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["count"] > 0 and body["results"], path
    keys = {
        "/api/v1/cooperatives/": "slug",
        "/api/v1/documents/": "slug",
        "/api/v1/news/": "slug",
        "/api/v1/polls/": "slug",
        "/api/v1/fund/products/": "code",
        "/api/v1/units/": "code",
        "/api/v1/agencies/": "id",
    }
    for path, key in keys.items():
        first = api.get(path).json()["results"][0]
        item = api.get(f"{path}{first[key]}/")
        assert item.status_code == 200, path
        assert item.json() == first


def test_the_lists_hold_exactly_the_rows_the_public_pages_show(api, whole_demo):
    assert len(every_page(api, "/api/v1/cooperatives/")) == Cooperative.objects.count()
    documents = {d["slug"] for d in every_page(api, "/api/v1/documents/")}
    assert documents == set(Document.objects.filter(is_public=True).values_list("slug", flat=True))
    news = {a["slug"] for a in every_page(api, "/api/v1/news/")}
    assert news == set(Article.objects.published().values_list("slug", flat=True))
    assert Article.objects.exclude(slug__in=news).exists()  # the demo's draft and scheduled articles stay out
    polls = every_page(api, "/api/v1/polls/")
    assert [p["slug"] for p in polls] == ["hinh-thuc-tap-huan-can-bo-htx"]  # the open poll is not there
    assert polls[0]["total_votes"] == 112 == sum(c["votes"] for c in polls[0]["choices"])
    assert [c["votes"] for c in polls[0]["choices"]] == [18, 41, 23, 30]


def test_a_filter_of_the_directory_gives_the_directory_s_rows(api, reader, whole_demo):
    """The same figure two ways: the API's count for a commune of today equals the directory page's."""
    commune = AdministrativeUnit.objects.get(name="Xã Ninh Quới", valid_to__isnull=True)
    rows = every_page(api, f"/api/v1/cooperatives/?xa={commune.code}")
    page = reader.get(f"/hop-tac-xa/?xa={commune.pk}")
    assert page.context["count"] == len(rows) > 0
    assert {r["area"]["code"] for r in rows} == {commune.code}
    aquaculture = every_page(api, "/api/v1/cooperatives/?sector=aquaculture&status=active")
    assert len(aquaculture) == Cooperative.objects.filter(sector="aquaculture", status="active").count()


def test_bad_filters_and_pages_get_a_vietnamese_answer_not_a_500(api, whole_demo):
    response = api.get("/api/v1/cooperatives/?xa=khong-co")
    assert response.status_code == 400
    assert "lựa chọn hợp lệ" in response.json()["xa"][0]
    assert api.get("/api/v1/cooperatives/?page=999").json() == {"detail": "Trang không hợp lệ."}
    assert api.get("/api/v1/cooperatives/khong-co/").json() == {"detail": "Không tìm thấy."}
    assert api.get("/api/v1/news/?year=99999999999").status_code == 400
    assert len(api.get("/api/v1/units/?page_size=100000").json()["results"]) <= 200


def test_a_repeated_request_is_answered_304_until_the_data_changes(api, whole_demo):
    first = api.get("/api/v1/cooperatives/?page_size=5")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified and first["Cache-Control"] == "public, max-age=60"
    assert api.get("/api/v1/cooperatives/?page_size=5", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get("/api/v1/cooperatives/?page_size=5", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    cooperative = Cooperative.objects.order_by("name", "pk").first()
    cooperative.short_name = "Tên viết tắt mới"
    cooperative.save()
    changed = api.get("/api/v1/cooperatives/?page_size=5", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["results"][0]["short_name"] == "Tên viết tắt mới"


def test_the_same_bytes_keep_their_etag_when_something_unrelated_changes(api, whole_demo):
    first = api.get("/api/v1/fund/products/")
    Article.objects.filter(status=Article.Status.DRAFT).first().save()  # a new content version
    again = api.get("/api/v1/fund/products/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_any_origin_may_read_with_get_and_nothing_else(api, whole_demo):
    response = api.get("/api/v1/news/", HTTP_ORIGIN="https://data.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = api.options(
        "/api/v1/news/", HTTP_ORIGIN="https://data.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert api.post("/api/v1/news/", {}).status_code == 405
    assert api.delete("/api/v1/news/").status_code == 405
    page = api.get("/tin-tuc/", HTTP_ORIGIN="https://data.example.org")
    assert "Access-Control-Allow-Origin" not in page  # the pages themselves are not opened to other sites


def test_a_signed_in_member_of_staff_sees_what_the_public_sees(api, whole_demo):
    anonymous = api.get("/api/v1/documents/?page_size=200").json()
    hidden = Document.objects.filter(is_public=False).first()
    assert hidden is not None
    api.force_login(User.objects.get(username="lienminh"))
    from django.core.cache import cache

    cache.clear()  # built again for the signed-in request, not served from the anonymous one's cache
    signed_in = api.get("/api/v1/documents/?page_size=200").json()
    assert signed_in == anonymous
    assert api.get(f"/api/v1/documents/{hidden.slug}/").status_code == 404


def test_each_client_is_limited_with_a_clear_429_in_vietnamese_and_english(api, whole_demo, settings):
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 3
    answers = [api.get("/api/v1/units/", REMOTE_ADDR="203.0.113.7") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    body = refused.json()
    assert "Quá nhiều yêu cầu" in body["detail"] and "Too many requests" in body["detail_en"]
    assert 1 <= int(refused["Retry-After"]) <= 60 and body["retry_after"] == int(refused["Retry-After"])
    assert api.get("/api/v1/units/", REMOTE_ADDR="203.0.113.8").status_code == 200  # another client is not
    # The limit counts requests answered from the cache and 304s too.
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 5
    etag = api.get("/api/v1/units/", REMOTE_ADDR="203.0.113.9")["ETag"]
    answers = [api.get("/api/v1/units/", REMOTE_ADDR="203.0.113.9", HTTP_IF_NONE_MATCH=etag) for _ in range(5)]
    assert [a.status_code for a in answers] == [304, 304, 304, 304, 429]
    settings.PORTAL_API_REQUESTS_PER_MINUTE = 0
    assert api.get("/api/v1/units/", REMOTE_ADDR="203.0.113.7").status_code == 200


def _queries(api, path) -> int:
    from django.core.cache import cache

    cache.clear()
    from portal.contentcache import forget_local

    forget_local()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_with_more_rows(api, whole_demo):
    paths = [f"{p}?page_size=200" for p in LISTS] + ["/api/v1/fund/figures/"]
    before = {path: _queries(api, path) for path in paths}
    unit = AdministrativeUnit.objects.filter(level="commune", valid_to__isnull=True).first()
    for n in range(30):
        Cooperative.objects.create(
            name=f"Hợp tác xã Thêm {n}", slug=f"them-{n}", unit=unit, sector="crops", public_fields=["figures"]
        )
        Document.objects.create(
            doc_type="cong_van", number=f"{n}/TH", slug=f"them-{n}", issuer="Liên minh",
            issue_date=timezone.localdate(), summary=f"Văn bản thêm {n}",
        )  # fmt: skip
    for n in range(5):
        Poll.objects.create(
            question=f"Thêm {n}?", slug=f"them-{n}", opens_at=timezone.now() - timedelta(days=9),
            closes_at=timezone.now() - timedelta(days=1),
        )  # fmt: skip
    after = {path: _queries(api, path) for path in paths}
    assert after == before


def test_a_cached_answer_costs_no_query(api, whole_demo, django_assert_max_num_queries):
    api.get("/api/v1/cooperatives/")
    with django_assert_max_num_queries(0):
        assert api.get("/api/v1/cooperatives/").status_code == 200


def test_a_poll_s_results_appear_when_it_closes_without_any_save(api, whole_demo):
    """Closing is a moment set in advance: the cached list lives no longer than until then."""
    poll = Poll.objects.get(slug="noi-dung-quan-tam-kinh-te-tap-the")
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() + timedelta(seconds=2))  # no save, no signal
    assert [p["slug"] for p in api.get("/api/v1/polls/").json()["results"]] == ["hinh-thuc-tap-huan-can-bo-htx"]
    assert cache_ttl() <= 3
    time.sleep(2.2)
    assert [p["slug"] for p in api.get("/api/v1/polls/").json()["results"]] == [
        poll.slug,
        "hinh-thuc-tap-huan-can-bo-htx",
    ]


def test_made_up_parameters_share_the_cached_answer_and_a_search_leaves_nothing_in_the_cache(
    api, whole_demo, django_assert_max_num_queries
):
    from django.core.cache import cache

    first = api.get("/api/v1/documents/?doc_type=quyet_dinh")
    with django_assert_max_num_queries(0):
        again = api.get("/api/v1/documents/?doc_type=quyet_dinh&utm_source=x&z=1")
    assert again.content == first.content
    before = set(cache._cache)  # the tests' cache is local memory: every key it holds can be listed
    for n in range(5):
        assert api.get(f"/api/v1/documents/?q=hop+tac+xa+{n}").status_code == 200
    assert {key for key in set(cache._cache) - before if "opendata:" in key} == set()
    found = api.get("/api/v1/documents/?q=1047").json()
    assert found["count"] >= 1 and all("1047" in d["number"] or "1047" in d["summary"] for d in found["results"])


def test_odd_keys_and_years_are_a_404_or_a_400_never_a_500(api, whole_demo):
    for path in ("/api/v1/cooperatives/%00/", "/api/v1/units/a%00b/", "/api/v1/agencies/x/", "/api/v1/agencies/1.5/",
                 "/api/v1/documents/%E2%80%AE/", "/api/v1/agencies/99999999999999999999999/"):  # fmt: skip
        assert api.get(path).status_code == 404, path
    assert api.get("/api/v1/news/?year=1").status_code == 400
    assert api.get("/api/v1/news/?year=2022").json()["count"] > 0


def test_an_item_is_found_by_its_key_whatever_the_list_filters_say(api, whole_demo):
    document = Document.objects.filter(is_public=True, doc_type="cong_van").first()
    cold = api.get(f"/api/v1/documents/{document.slug}/?doc_type=quyet_dinh")
    assert cold.status_code == 200
    assert api.get(f"/api/v1/documents/{document.slug}/?doc_type=junk").json() == cold.json()


def test_page_links_are_on_the_site_s_address_with_only_the_parameters_understood(api, whole_demo, settings):
    settings.PORTAL_SITE_URL = "https://htx.example.vn"
    first = api.get("/api/v1/units/?level=commune&page_size=10&utm=x", HTTP_HOST="127.0.0.1:8765").json()
    assert first["next"] == "https://htx.example.vn/api/v1/units/?level=commune&page_size=10&page=2"
    second = api.get(first["next"]).json()
    assert second["previous"] == "https://htx.example.vn/api/v1/units/?level=commune&page_size=10"


def test_an_answer_that_changes_back_gets_a_later_date(api, whole_demo):
    """A → B → A: the third answer has the first one's bytes and ETag, but a client that saw the first one an
    hour ago and asks "changed since then?" must hear yes, since it changed (twice) in between."""
    import hashlib

    from django.core.cache import cache
    from django.utils.http import http_date

    cooperative = Cooperative.objects.order_by("name", "pk").first()
    path = f"/api/v1/cooperatives/{cooperative.slug}/"
    first = api.get(path)
    key = "opendata:since:" + hashlib.sha1(f"{path}?[]".encode()).hexdigest()
    etag, _ = cache.get(key)
    an_hour_ago = int(time.time()) - 3600
    cache.set(key, (etag, an_hour_ago))  # as if the first answer had been made an hour ago
    original = cooperative.short_name
    cooperative.short_name = "Tạm"
    cooperative.save()
    assert api.get(path).json()["short_name"] == "Tạm"
    cooperative.short_name = original
    cooperative.save()
    back = api.get(path, HTTP_IF_MODIFIED_SINCE=http_date(an_hour_ago))
    assert back["ETag"] == first["ETag"] and back.json() == first.json()
    assert back.status_code == 200
    assert api.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # the bytes the client holds


def test_an_answer_built_right_after_the_open_data_version_moved_reads_the_primary(api, whole_demo, monkeypatch):
    """A loan's disbursement moves only the open data's own version: the fund figures rebuilt within the replica pin
    window are read from the primary (a lagging replica would keep the old figures under the new version); once the
    window has passed, from wherever the router sends reads."""
    from django.core.cache import cache
    from multidb.pinning import this_thread_is_pinned

    from opendata import datasets
    from portal import versioned

    pinned = []
    figures = datasets.fund_figures

    def recorded(*args, **kwargs):
        pinned.append(this_thread_is_pinned())
        return figures(*args, **kwargs)

    monkeypatch.setattr(datasets, "fund_figures", recorded)
    datasets.bump_own_version()
    assert api.get("/api/v1/fund/figures/").status_code == 200
    cache.delete(versioned.fresh_key(versioned._version_key(datasets.VERSION)))  # the pin window has passed
    datasets.bump_own_version()
    cache.delete(versioned.fresh_key(versioned._version_key(datasets.VERSION)))
    datasets.forget_own_version()
    assert api.get("/api/v1/fund/figures/").status_code == 200
    assert pinned == [True, False]
    assert not this_thread_is_pinned()
