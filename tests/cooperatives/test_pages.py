import re
from datetime import date

import pytest

from cooperatives.models import Congress, Cooperative, Evaluation, Person, Sector, YearlyFigure

from .factories import CooperativeFactory


def make(n, unit, **kwargs):
    """n cooperatives with a figure, two congresses, a person and an evaluation each (bulk, so tests stay fast)."""
    start = Cooperative.objects.count()
    rows = []
    for i in range(start, start + n):
        c = Cooperative(
            name=f"Hợp tác xã Thử Nghiệm {i}",
            slug=f"htx-thu-nghiem-{i}",
            registration_code=f"1800{i:06d}",
            unit=unit,
            sector=Sector.AQUACULTURE,
            certificate_date=date(2015, 1, 1),
            **kwargs,
        )
        c.refresh_search_text()
        rows.append(c)
    made = Cooperative.objects.bulk_create(rows)
    YearlyFigure.objects.bulk_create(YearlyFigure(cooperative=c, year=2025, members_official=20) for c in made)
    Congress.objects.bulk_create(
        Congress(cooperative=c, kind="annual", fiscal_year=2024, held_date=date(2025, 3, 1)) for c in made
    )
    Person.objects.bulk_create(Person(cooperative=c, full_name="Lê Văn Thử") for c in made)
    Evaluation.objects.bulk_create(Evaluation(cooperative=c, year=2025, total_score=70, grade="kha") for c in made)
    return made


def count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches (site settings) so both sizes are measured alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/hop-tac-xa/",
        "/hop-tac-xa/?q=thu nghiem&sector=aquaculture&grade=kha",
        "/hop-tac-xa/thong-ke/",
    ],
)
def test_public_pages_cost_the_same_queries_at_two_data_sizes(
    client, hong_dan_commune, url, django_assert_max_num_queries
):
    make(3, hong_dan_commune)
    small = count_queries(client, url, django_assert_max_num_queries)
    make(40, hong_dan_commune)
    large = count_queries(client, url, django_assert_max_num_queries)
    assert small == large
    with django_assert_max_num_queries(small):
        client.get(url)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cooperatives/cooperative/",
        "/admin/cooperatives/cooperative/?congress=overdue&grade=kha&q=thu+nghiem",
        "/admin/cooperatives/person/",
        "/admin/cooperatives/congress/",
        "/admin/cooperatives/yearlyfigure/",
        "/admin/cooperatives/evaluation/",
        "/hop-tac-xa/quan-ly/",
        "/hop-tac-xa/quan-ly/xuat/cooperatives.csv",
        "/hop-tac-xa/quan-ly/xuat/figures.csv",
    ],
)
def test_staff_lists_cost_the_same_queries_at_two_data_sizes(client, superuser, hong_dan_commune, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal import staffcache

    def built():
        """The queries of a page built, not served kept (portal.staffcache): `make` writes in bulk, no signal."""
        client.get(url)
        staffcache.bump()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(superuser)
    make(3, hong_dan_commune)
    small = built()
    make(40, hong_dan_commune)
    large = built()
    assert small == large
    with CaptureQueriesContext(connection) as kept:
        client.get(url)
    assert len(kept.captured_queries) <= small


def test_search_without_diacritics_finds_hong_dan(client, units):
    CooperativeFactory(name="Hợp tác xã Nông nghiệp Ninh Quới", unit=units["Xã Ninh Quới"])
    CooperativeFactory(name="Hợp tác xã Muối Long Điền", unit=units["Xã Long Điền"])
    page = client.get("/hop-tac-xa/", {"q": "hong dan"}).content.decode()
    assert "Nông nghiệp Ninh Quới" in page and "Muối Long Điền" not in page  # (the commune filter lists both)
    page = client.get("/hop-tac-xa/", {"q": "muoi long dien"}).content.decode()
    assert "Hợp tác xã Muối Long Điền" in page


def test_filtering_by_district_includes_its_communes(client, units):
    CooperativeFactory(name="Hợp tác xã Nông nghiệp Ninh Quới", unit=units["Xã Ninh Quới"])
    CooperativeFactory(name="Hợp tác xã Muối Long Điền", unit=units["Xã Long Điền"])
    page = client.get("/hop-tac-xa/", {"unit": units["Huyện Đông Hải"].pk}).content.decode()
    assert "Muối Long Điền" in page and "Ninh Quới</a>" not in page


@pytest.mark.parametrize(
    "query", ["?unit=abc", "?sector=khong-co", "?grade=x&status=y", "?page=999", "?page=abc", "?q=" + "a" * 5000]
)
def test_bad_filter_values_never_answer_500(client, demo, query):
    response = client.get("/hop-tac-xa/" + query)
    assert response.status_code == 200


def test_the_profile_shows_public_fields_only(client, hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, tax_code="1900555666", public_fields=["address", "phone"])
    page = client.get(coop.get_absolute_url()).content.decode()
    assert coop.name in page and coop.phone in page
    assert coop.representative_phone not in page
    assert coop.representative_id_number not in page
    assert "1900555666" not in page  # the tax code was not made public
    assert "Hồ sơ nội bộ" not in page


def test_an_unknown_profile_is_a_vietnamese_404(client, demo):
    response = client.get("/hop-tac-xa/khong-co-htx-nay/")
    assert response.status_code == 404


def test_the_statistics_page_draws_svg_charts_without_inline_styles_or_scripts(client, hong_dan_commune):
    make(5, hong_dan_commune)
    page = client.get("/hop-tac-xa/thong-ke/").content.decode()
    assert page.count("<svg") >= 3
    assert "<rect" in page and "Thủy sản" in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
