from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from public.models import Article, Page
from public.site_search import fulltext, matching, terms

from .factories import ArticleFactory, PageFactory


@pytest.fixture
def corpus(db, demo):
    from cooperatives.models import Cooperative
    from directives.models import Document
    from portal.models import AdministrativeUnit

    ArticleFactory(title="Hợp tác xã Ninh Quới tổ chức Đại hội thành viên", slug="dai-hoi-ninh-quoi")
    ArticleFactory(title="Bản nháp về hợp tác xã", slug="ban-nhap", status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(title="Hợp tác xã hẹn giờ", slug="hen-gio", publish_at=timezone.now() + timedelta(days=1),
                   status=Article.Status.SCHEDULED)  # fmt: skip
    PageFactory(title="Giới thiệu Liên minh Hợp tác xã", slug="gioi-thieu")
    Document.objects.create(doc_type="cong_van", number="1047/UBND-KT", slug="1047-ubnd-kt", issuer="UBND tỉnh",
                            issue_date=date(2022, 4, 6), summary="Thúc đẩy kinh tế tập thể, hợp tác xã")  # fmt: skip
    Document.objects.create(doc_type="cong_van", number="9/MAT", slug="mat", issuer="UBND tỉnh", is_public=False,
                            issue_date=date(2022, 4, 7), summary="Văn bản mật về hợp tác xã")  # fmt: skip
    Cooperative.objects.create(name="Hợp tác xã Nông nghiệp Đông Hải", slug="htx-dong-hai", sector="crops",
                               unit=AdministrativeUnit.objects.get(code="960"))  # fmt: skip


def test_search_without_diacritics_finds_every_kind_of_public_content(corpus, reader):
    html = reader.get("/tim-kiem/", {"q": "hop tac xa"}).content.decode()
    assert "Tìm thấy 4 kết quả" in html
    for title in ["Đại hội thành viên", "Giới thiệu Liên minh", "1047/UBND-KT", "Nông nghiệp Đông Hải"]:
        assert title in html
    assert "Bản nháp" not in html and "hẹn giờ" not in html and "9/MAT" not in html
    assert "<mark>Hợp</mark> <mark>tác</mark> <mark>xã</mark>" in html


def test_search_is_insensitive_to_case_and_accents_both_ways(corpus, reader):
    assert "Ninh Quới" in reader.get("/tim-kiem/", {"q": "dai hoi"}).content.decode()
    assert "Ninh Quới" in reader.get("/tim-kiem/", {"q": "ĐẠI HỘI"}).content.decode()
    assert "<mark>Đông</mark> <mark>Hải</mark>" in reader.get("/tim-kiem/", {"q": "DONG hai"}).content.decode()


def test_search_filters_by_kind_and_refuses_an_unknown_kind_politely(corpus, reader):
    html = reader.get("/tim-kiem/", {"q": "hop tac xa", "kind": "document"}).content.decode()
    assert "Tìm thấy 1 kết quả" in html and "1047/UBND-KT" in html
    response = reader.get("/tim-kiem/", {"q": "hop tac xa", "kind": "<script>"})
    assert response.status_code == 200 and "Loại kết quả không hợp lệ" in response.content.decode()


def test_search_paginates(db, reader):
    ArticleFactory.create_batch(23, title="Đại hội hợp tác xã")
    html = reader.get("/tim-kiem/", {"q": "dai hoi", "page": 3}).content.decode()
    assert "Tìm thấy 23 kết quả" in html and "Trang 3 / 3" in html
    assert html.count('class="search-hit"') == 3


def test_a_query_matching_very_many_rows_ranks_only_the_newest_of_each_kind_and_says_so(db, reader, monkeypatch):
    from public import site_search

    monkeypatch.setattr(site_search, "CANDIDATES", 3)
    old = ArticleFactory(title="Đại hội cũ nhất")
    ArticleFactory.create_batch(3, title="Đại hội mới")
    html = reader.get("/tim-kiem/", {"q": "dai hoi"}).content.decode()
    assert "Có rất nhiều kết quả" in html and html.count('class="search-hit"') == 3
    assert old.title not in html


def test_a_repeated_search_is_served_from_the_cache_until_content_changes(db, reader, django_assert_max_num_queries):
    ArticleFactory(title="Đại hội thành viên")
    reader.get("/tim-kiem/", {"q": "dai hoi"})
    with django_assert_max_num_queries(2):  # the page's one article (and the sidebar's visit counter at most)
        assert "Tìm thấy 1 kết quả" in reader.get("/tim-kiem/", {"q": "dai hoi"}).content.decode()
    ArticleFactory(title="Đại hội nhiệm kỳ")
    assert "Tìm thấy 2 kết quả" in reader.get("/tim-kiem/", {"q": "dai hoi"}).content.decode()


def test_search_with_punctuation_only_answers_no_results(db, reader):
    response = reader.get("/tim-kiem/", {"q": "&|!:*()"})
    assert response.status_code == 200


@pytest.mark.postgres
def test_postgres_full_text_ranks_the_best_match_first_and_uses_the_gin_index(corpus):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    ArticleFactory(title="Đại hội", lead="đại hội đại hội đại hội", slug="nhieu-dai-hoi")
    qs = matching("article", terms("dai hoi"))
    assert qs.order_by("-hit_rank").first().slug == "nhieu-dai-hoi"
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            # The full-text condition alone, on each table: the planner serves it from that table's GIN index.
            # No ordering: with the model's default one, a small table is read through its ordering index.
            plans["portal_article"] = fulltext(Article.objects.order_by(), terms("dai hoi")).explain()
            plans["portal_page"] = fulltext(Page.objects.order_by(), terms("gioi thieu")).explain()
            plans["directives_document"] = matching("document", terms("hop tac xa")).explain()
            plans["cooperatives_cooperative"] = matching("cooperative", terms("dong hai")).explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    for table, plan in plans.items():
        assert f"{table}_search_vector_gin" in plan, plan


def test_snippets_are_escaped_and_centred_on_the_densest_matches():
    from portal.text import highlight

    text = "Đại <b>hội</b> mở đầu. " + "chữ " * 80 + "Đại hội thành viên thường niên, đại hội nhiệm kỳ."
    snippet = highlight(text, ["dai", "hoi"], width=80)
    assert "<b>" not in snippet and "&lt;b&gt;" not in snippet  # the window moved past the escaped tag
    assert snippet.count("<mark>") >= 4
    assert "<mark>Đại</mark> <mark>hội</mark> thành viên" in snippet


def test_a_first_search_costs_the_same_queries_whatever_the_number_of_matches(db, reader):
    """One query per kind of result on the page, whatever the size: 3 matching articles or 43."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def first_search(warm_up: str) -> int:
        reader.get("/tim-kiem/", {"q": warm_up})  # rebuilds the sidebar and settings caches for this version
        with CaptureQueriesContext(connection) as ctx:
            assert reader.get("/tim-kiem/", {"q": "dai hoi"}).status_code == 200
        return len(ctx.captured_queries)

    ArticleFactory.create_batch(3, title="Đại hội thành viên")
    small = first_search("khong co gi")
    ArticleFactory.create_batch(40, title="Đại hội nhiệm kỳ")  # a new content version: searches run afresh
    assert first_search("van khong co gi") == small
