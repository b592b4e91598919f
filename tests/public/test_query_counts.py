"""Public pages cost a fixed number of queries whatever the amount of content (two data sizes, same count)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.contentcache import bump_content_version
from public.models import Article, Attachment, Category, Tag, Vote, WebLink, WebLinkGroup

from .factories import PollFactory


def _content(size: int):
    from cooperatives.models import Cooperative
    from directives.models import Document
    from portal.models import AdministrativeUnit

    now = timezone.now()
    categories = [Category.objects.get_or_create(slug=f"cm-{i}", defaults={"name": f"Chuyên mục {i}"})[0]
                  for i in range(3)]  # fmt: skip
    start = Article.objects.count()
    articles = [
        Article(
            category=categories[i % 3],
            title=f"Bài {start + i}",
            slug=f"bai-{start + i}",
            status="published",
            publish_at=now - timedelta(hours=i + 1),
            body="<p>x</p>",
        )  # fmt: skip
        for i in range(size)
    ]
    for a in articles:
        a.refresh_search_text()
    Article.objects.bulk_create(articles)
    tag, _ = Tag.objects.get_or_create(slug="t", defaults={"name": "t"})
    first = Article.objects.get(slug="bai-0")
    first.tags.add(tag)
    Attachment.objects.bulk_create(
        [Attachment(article=first, name=f"Tệp {start + i}", file="f.pdf", size=100) for i in range(size // 5)]
    )
    communes = list(AdministrativeUnit.objects.filter(level="commune"))
    coops = [Cooperative(name=f"HTX {start + i}", slug=f"htx-{start + i}", sector="crops",
                         unit=communes[i % len(communes)]) for i in range(size)]  # fmt: skip
    for c in coops:
        c.refresh_search_text()
    Cooperative.objects.bulk_create(coops)
    docs = [Document(doc_type="cong_van", number=f"{start + i}", slug=f"vb-{start + i}", issuer="UBND",
                     issue_date=date(2022, 1, 1), summary="s") for i in range(size)]  # fmt: skip
    for d in docs:
        d.refresh_search_text()
    Document.objects.bulk_create(docs)
    group, _ = WebLinkGroup.objects.get_or_create(name="Liên kết web")
    WebLink.objects.bulk_create(
        [WebLink(group=group, title=f"Liên kết {start + i}", url="https://example.vn/") for i in range(size // 5)]
    )
    poll = PollFactory()
    Vote.objects.bulk_create(
        [Vote(poll=poll, choice=poll.choices.first(), voter_key=f"{poll.pk}-{i}") for i in range(size)]
    )


def _count(client, url, *, fresh_cache=True) -> int:
    from django.core.cache import cache, caches

    if fresh_cache:
        cache.clear()
        caches["counters"].clear()  # which also holds the stored visit statistics, read with the pending ones
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/", "/tin-tuc/", "/tin-tuc/chuyen-muc/cm-1/", "/tin-tuc/bai-0/", "/tham-do/", "/tim-kiem/?q=bai", "/rss/"],
)
def test_public_pages_cost_the_same_queries_at_two_data_sizes(db, demo, reader, url):
    _content(10)
    small = _count(reader, url)
    _content(60)
    large = _count(reader, url)
    assert small == large, f"{url}: {small} queries with little data, {large} with more"
    # A cold build reads when the cache must next be rebuilt: the next scheduled article and the next poll closing
    # (the sidebar's poll, the open data's closed polls), each once per content version.
    assert large <= 13


def test_the_home_page_costs_no_query_for_an_anonymous_reader_once_cached(db, demo, reader):
    _content(10)
    _count(reader, "/")
    assert _count(reader, "/", fresh_cache=False) == 0


def test_the_home_page_cache_is_refreshed_when_content_changes(db, demo, reader):
    _content(5)
    reader.get("/")
    article = Article.objects.get(slug="bai-0")
    article.title = "Tiêu đề vừa sửa"
    article.save()
    assert "Tiêu đề vừa sửa" in reader.get("/").content.decode()


def test_admin_changelists_cost_the_same_queries_at_two_data_sizes(db, demo, client, superuser):
    client.force_login(superuser)
    urls = ["/admin/public/article/", "/admin/public/poll/", "/admin/public/category/", "/admin/public/weblinkgroup/"]
    _content(5)
    small = {u: _count(client, u) for u in urls}
    _content(40)
    large = {u: _count(client, u) for u in urls}
    assert small == large


def test_the_home_page_counts_cooperatives_per_district_without_the_dissolved(db, demo, reader):
    from cooperatives.models import Cooperative
    from portal.models import AdministrativeUnit

    commune = AdministrativeUnit.objects.get(code="956-01")
    district = AdministrativeUnit.objects.get(code="956")
    Cooperative.objects.create(name="HTX A", slug="a", sector="crops", unit=commune)
    Cooperative.objects.create(name="HTX B", slug="b", sector="crops", unit=district)
    Cooperative.objects.create(name="THT C", slug="c", sector="crops", unit=commune, kind="tht")
    Cooperative.objects.create(name="HTX D", slug="d", sector="crops", unit=commune, status="dissolved")
    html = reader.get("/").content.decode()
    row = html.split('<th scope="row">Huyện Hồng Dân</th>', 1)[1].split("</tr>", 1)[0]
    assert row.split('<td class="num">')[1].startswith("2") and row.split('<td class="num">')[2].startswith("1")


def test_counting_a_visit_costs_no_database_query(db, rf):
    from public.counters import record_visit

    request = rf.get("/", HTTP_USER_AGENT="Mozilla/5.0")
    with CaptureQueriesContext(connection) as ctx:
        record_visit(request)
        record_visit(request)
    assert len(ctx.captured_queries) == 0


@pytest.mark.parametrize(
    "url",
    ["/tin-tuc/", "/van-ban/", "/van-ban/?doc_type=cong_van&year=2022", "/hop-tac-xa/", "/hop-tac-xa/?sector=crops"],
)
def test_public_lists_count_their_rows_once_per_content_version_at_two_sizes(db, demo, reader, url):
    warm = []
    for size in (5, 40):
        _content(size)
        bump_content_version()  # bulk_create sends no signal: bump the version as a save would
        reader.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert reader.get(url).status_code == 200
        sql = [q["sql"] for q in ctx.captured_queries]
        assert not any("COUNT(" in s or "DISTINCT" in s for s in sql), sql  # the total and the filter choices
        warm.append(len(sql))
    assert warm[0] == warm[1]


def test_the_article_pdf_is_rendered_once_per_content_version(db, demo, reader):
    _content(5)
    first = reader.get("/tin-tuc/bai-0/pdf/")
    with CaptureQueriesContext(connection) as ctx:
        again = reader.get("/tin-tuc/bai-0/pdf/")
    assert again.content == first.content and again["Content-Type"] == "application/pdf"
    assert len(ctx.captured_queries) == 0
    assert reader.get("/tin-tuc/khong-co/pdf/").status_code == 404
