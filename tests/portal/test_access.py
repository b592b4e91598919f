from portal.access import user_scope
from portal.models import AdministrativeUnit


def test_a_district_officer_sees_their_district_and_its_communes_only(officer_hong_dan):
    scope = user_scope(officer_hong_dan)
    hong_dan = AdministrativeUnit.objects.get(name="Huyện Hồng Dân")
    ninh_quoi = AdministrativeUnit.objects.get(code="956-02")
    dong_hai = AdministrativeUnit.objects.get(name="Huyện Đông Hải")
    gah_hao = AdministrativeUnit.objects.get(name="Thị trấn Gành Hào")

    assert scope.sees_unit(hong_dan.pk) and scope.sees_unit(ninh_quoi.pk)
    assert not scope.sees_unit(dong_hai.pk) and not scope.sees_unit(gah_hao.pk)
    assert set(scope.units().values_list("name", flat=True)) == {
        "Huyện Hồng Dân",
        "Thị trấn Ngan Dừa",
        "Xã Ninh Quới",
        "Xã Ninh Quới A",
        "Xã Lộc Ninh",
        "Xã Vĩnh Lộc",
    }
    assert list(scope.agencies()) == [officer_hong_dan.agency]


def test_alliance_and_fund_staff_see_the_whole_province(alliance_staff, fund_officer):
    assert user_scope(alliance_staff).everything
    assert user_scope(fund_officer).everything


def test_anonymous_and_agencyless_users_see_nothing(db, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert user_scope(AnonymousUser()).units().count() == 0
    loner = django_user_model.objects.create_user("loner", password="x-very-long-pass")
    assert user_scope(loner).agencies().count() == 0


def test_an_inactive_officer_sees_nothing(officer_dong_hai):
    officer_dong_hai.is_active = False
    assert not user_scope(officer_dong_hai).sees_agency(officer_dong_hai.agency_id)


def test_names_are_written_in_vietnamese_order(officer_hong_dan):
    assert str(officer_hong_dan) == "Nguyễn Văn Hùng"


def test_an_editor_sees_nothing_private_although_the_alliance_is_their_agency(editor):
    # The editor's agency (the alliance) sits on the province's unit: only the officer role opens that scope.
    scope = user_scope(editor)
    assert editor.agency_id is not None
    assert not scope.everything and scope.units().count() == 0 and scope.agencies().count() == 0


def test_a_user_of_an_agency_without_a_role_sees_nothing(officer_hong_dan):
    officer_hong_dan.groups.clear()
    assert user_scope(officer_hong_dan).units().count() == 0


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # user_scope remembers the scope on the instance


def test_an_officers_scope_costs_one_query_once_the_unit_tree_is_cached(officer_hong_dan, django_assert_num_queries):
    user_scope(_fresh(officer_hong_dan))
    user = _fresh(officer_hong_dan)
    with django_assert_num_queries(1):  # the user's groups; the unit tree comes from the cache
        scope = user_scope(user)
    assert scope.sees_unit(AdministrativeUnit.objects.get(code="956-02").pk)


def test_the_cached_unit_tree_follows_a_new_commune_and_a_moved_agency(officer_hong_dan):
    hong_dan = AdministrativeUnit.objects.get(name="Huyện Hồng Dân")
    user_scope(_fresh(officer_hong_dan))
    commune = AdministrativeUnit.objects.create(code="TEST-XML", name="Xã Mới Lập", level="commune", parent=hong_dan)
    assert user_scope(_fresh(officer_hong_dan)).sees_unit(commune.pk)
    agency = officer_hong_dan.agency
    agency.unit = AdministrativeUnit.objects.get(name="Huyện Đông Hải")
    agency.save()
    scope = user_scope(_fresh(officer_hong_dan))
    assert not scope.sees_unit(commune.pk) and scope.sees_unit(agency.unit_id)
