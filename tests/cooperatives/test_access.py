from datetime import date

import pytest

from cooperatives.models import Cooperative

from .factories import CooperativeFactory


@pytest.fixture
def two_districts(hong_dan_commune, dong_hai_commune):
    return (
        CooperativeFactory(name="Hợp tác xã Nông nghiệp Ninh Quới", unit=hong_dan_commune),
        CooperativeFactory(name="Hợp tác xã Muối Long Điền", unit=dong_hai_commune),
    )


def test_an_officer_sees_only_their_districts_cooperatives(two_districts, officer_hong_dan):
    mine, theirs = two_districts
    assert list(Cooperative.objects.for_user(officer_hong_dan)) == [mine]


def test_an_officer_of_another_district_gets_404_for_the_private_profile(client, two_districts, officer_dong_hai):
    hong_dan, dong_hai = two_districts
    client.force_login(officer_dong_hai)
    assert client.get(f"/hop-tac-xa/quan-ly/{hong_dan.slug}/").status_code == 404
    own = client.get(f"/hop-tac-xa/quan-ly/{dong_hai.slug}/")
    assert own.status_code == 200
    assert dong_hai.representative_id_number in own.content.decode()


def test_the_officers_dashboard_and_report_count_their_district_only(client, two_districts, officer_hong_dan):
    client.force_login(officer_hong_dan)
    page = client.get("/hop-tac-xa/quan-ly/").content.decode()
    assert "Huyện Hồng Dân" in page
    assert "Xã Long Điền" not in page
    response = client.get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": 2025})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_anonymous_visitors_are_sent_to_log_in_for_private_pages(client, two_districts):
    for url in ["/hop-tac-xa/quan-ly/", f"/hop-tac-xa/quan-ly/{two_districts[0].slug}/", "/hop-tac-xa/thong-bao/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response.url


def test_a_user_without_an_agency_sees_no_private_page(client, two_districts, django_user_model):
    nobody = django_user_model.objects.create_user("khach", password="khach-12345-x")
    client.force_login(nobody)
    assert client.get("/hop-tac-xa/quan-ly/").status_code == 404


def test_the_admin_hides_other_districts_rows_from_a_district_staff_user(client, two_districts, officer_dong_hai):
    from django.contrib.auth.models import Permission

    officer_dong_hai.is_staff = True
    officer_dong_hai.save()
    officer_dong_hai.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_cooperative", "change_cooperative"])
    )
    client.force_login(officer_dong_hai)
    hong_dan, dong_hai = two_districts
    page = client.get("/admin/cooperatives/cooperative/").content.decode()
    assert dong_hai.name in page and hong_dan.name not in page
    assert client.get(f"/admin/cooperatives/cooperative/{hong_dan.pk}/change/").status_code in (302, 404)


def test_the_public_profile_links_to_the_private_one_only_for_those_who_may_see_it(
    client, two_districts, officer_hong_dan, officer_dong_hai
):
    hong_dan = two_districts[0]
    client.force_login(officer_hong_dan)
    assert "Hồ sơ nội bộ" in client.get(hong_dan.get_absolute_url()).content.decode()
    client.force_login(officer_dong_hai)
    assert "Hồ sơ nội bộ" not in client.get(hong_dan.get_absolute_url()).content.decode()


def test_a_congress_overdue_shows_on_the_private_profile(client, two_districts, officer_hong_dan):
    hong_dan = two_districts[0]
    client.force_login(officer_hong_dan)
    page = client.get(f"/hop-tac-xa/quan-ly/{hong_dan.slug}/").content.decode()
    assert hong_dan.is_annual_congress_overdue(date.today())
    assert "Quá hạn" in page
