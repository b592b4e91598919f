"""The page cache holds a bounded number of pages whatever query parameters anonymous clients send
(portal.pagecache: keyed on the parameters a page understands, normalised)."""

from urllib.parse import urlencode

import pytest
import redis
from django.core.paginator import Paginator
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal import pagecache
from portal.models import AdministrativeUnit
from public.models import Tag
from tests.conftest import BROWSER_UA
from tests.cooperatives.factories import CooperativeFactory
from tests.properties import examples

from .factories import ArticleFactory, CategoryFactory

FILTERS = ["q", "kind", "doc_type", "issuer", "field", "year", "status", "unit", "sector", "grade"]
PAGE_VALUES = st.one_of(
    st.sampled_from(["", "1", "01", " 2", "+3", "٢", "0", "-7", "1.0", "2_0", "abc", "20", "21", "999999"]),
    st.integers(-10, 10**9).map(str),
    st.text(max_size=6),
)
# A filter's value starting with "~" is never among its choices: the bound below counts no filter combination.
FILTER_VALUES = st.one_of(st.just(""), st.text(max_size=6).map(lambda text: "~" + text))
PAIRS = st.lists(
    st.one_of(
        st.tuples(st.just("page"), PAGE_VALUES),
        st.tuples(st.sampled_from(FILTERS), FILTER_VALUES),
        st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=8)),  # parameters no page reads
    ),
    max_size=6,
)


def _page_keys(cache) -> int:
    client = redis.Redis.from_url(cache._servers[0])
    return sum(1 for _ in client.scan_iter(match="*portal:page:*", count=1000))


@pytest.fixture
def pages(db, demo):
    """Each page served through the page cache, and whether it is a list of pages."""
    category = CategoryFactory()
    tag = Tag.objects.create(name="Nông nghiệp", slug="nong-nghiep")
    articles = ArticleFactory.create_batch(25, category=category)
    for article in articles:
        article.tags.add(tag)
    cooperative = CooperativeFactory(
        unit=AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE).first()
    )
    return {
        "/": False,
        "/tin-tuc/": True,
        category.get_absolute_url(): True,
        f"/tin-tuc/tu-khoa/{tag.slug}/": True,
        articles[0].get_absolute_url(): False,
        "/tim-kiem/": True,
        "/van-ban/": True,
        "/hop-tac-xa/": True,
        cooperative.get_absolute_url(): False,
        "/quy-ho-tro/": False,
    }


def _bound(paged: bool) -> int:
    """The pages one path can be cached as: the first, the last (numbers below one) and 2..CACHED_PAGES."""
    return 1 + 1 + (pagecache.CACHED_PAGES - 1) if paged else 1


@pytest.mark.parametrize("index", range(10))
def test_requests_with_random_parameters_leave_a_bounded_number_of_cached_pages(redis_cache, pages, client, index):
    path, paged = list(pages.items())[index]
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    assert client.get(path).status_code == 200
    statuses = {}

    @settings(max_examples=examples(300))
    @given(pairs=PAIRS)
    def one_request(pairs):
        response = client.get(f"{path}?{urlencode(pairs)}")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code == 200, (path, pairs)

    one_request()
    assert sum(statuses.values()) >= examples(300) * 0.9
    assert 1 <= _page_keys(redis_cache) <= _bound(paged), path


@pytest.mark.parametrize(
    ("path", "same"),
    [
        ("/tin-tuc/", ["/tin-tuc/?page=1", "/tin-tuc/?page=", "/tin-tuc/?page=abc", "/tin-tuc/?utm_source=zalo&x=1"]),
        ("/tin-tuc/?page=2", ["/tin-tuc/?page=02", "/tin-tuc/?page=+2", "/tin-tuc/?page=1&page=2&fbclid=abc"]),
        ("/tin-tuc/?page=0", ["/tin-tuc/?page=-3", "/tin-tuc/?page=-0"]),
        ("/", ["/?page=2", "/?q=x", "/?anything=at-all"]),
        ("/van-ban/?doc_type=DT", ["/van-ban/?page=1&doc_type=DT&zz=1", "/van-ban/?q=&doc_type=DT&year="]),
        ("/tim-kiem/?kind=article", ["/tim-kiem/?q=&kind=article&page=1"]),
    ],
)
def test_requests_that_differ_only_in_what_the_page_ignores_share_one_cached_page(redis_cache, pages, reader, path,
                                                                                  same):  # fmt: skip
    from directives.models import Document

    dt = Document.Type.values[0]
    path, same = path.replace("DT", dt), [other.replace("DT", dt) for other in same]
    first = reader.get(path)
    assert first.status_code == 200 and _page_keys(redis_cache) == 1
    for other in same:
        response = reader.get(other)
        assert response.status_code == 200, other
        assert _page_keys(redis_cache) == 1, other
    assert "utm_source" not in reader.get("/tin-tuc/?utm_source=zalo&page=2").content.decode()


@pytest.mark.parametrize(
    "path",
    ["/van-ban/?page=21", "/hop-tac-xa/?page=999999", "/tim-kiem/?q=hợp+tác", "/van-ban/?q=nghị+định",
     "/van-ban/?doc_type=~bad", "/hop-tac-xa/?kind=~bad", "/hop-tac-xa/?unit=999999", "/tim-kiem/?kind=~bad"],
)  # fmt: skip
def test_free_text_refused_values_and_deep_pages_of_lists_of_unknown_length_are_rendered_uncached(
    redis_cache, pages, reader, path
):
    assert reader.get(path).status_code == 200
    assert _page_keys(redis_cache) == 0


def test_a_refused_filter_value_still_shows_the_view_s_own_answer(redis_cache, pages, reader):
    html = reader.get("/hop-tac-xa/?kind=~bad").content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in html or "không hợp lệ" in html.lower()


@settings(max_examples=examples(300))
@given(value=st.one_of(PAGE_VALUES, st.none()))
@example(value="٢")
@example(value=" 2 ")
def test_the_key_names_the_page_the_paginator_shows(value):
    paginator = Paginator(range(1000), 10)  # 100 pages
    shown = paginator.get_page(value).number
    key = pagecache._page_number(value)
    if key is None:
        assert shown > pagecache.CACHED_PAGES
    else:
        assert shown == {"": 1, "0": paginator.num_pages}.get(key, None) or shown == int(key)


def test_every_page_of_the_news_list_is_cached_and_a_number_past_the_last_is_the_last_page(
    redis_cache, db, reader, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(pagecache, "CACHED_PAGES", 1)  # so that the list's 3 pages are all past it
    ArticleFactory.create_batch(25)
    for number in ("2", "3", "999"):
        assert reader.get(f"/tin-tuc/?page={number}").status_code == 200
    with django_assert_max_num_queries(0):
        third = reader.get("/tin-tuc/?page=3").content.decode()
        past = reader.get("/tin-tuc/?page=123456").content.decode()
    assert _page_keys(redis_cache) == 3  # pages 2, 3 and "the last", whatever number past it was asked
    assert "<span>Trang 3 / 3</span>" in third
    assert "<span>Trang 3 / 3</span>" in past  # the last page, as Paginator.get_page shows it


@settings(max_examples=examples(300))
@given(value=st.one_of(PAGE_VALUES, st.none()), pages=st.integers(1, 200))
@example(value="999999", pages=3)
def test_with_the_lists_length_the_key_names_the_page_the_paginator_shows(value, pages):
    paginator = Paginator(range(pages * 10), 10)
    shown = paginator.get_page(value).number
    key = pagecache._page_number(value, pages)
    assert key is not None  # every request is a page of the list: none goes uncached
    assert shown == {"": 1, "0": pages}.get(key, None) or shown == int(key)
