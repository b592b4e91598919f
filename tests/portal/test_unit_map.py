"""Today's map (portal.unitmap): the old -> new commune mapping proposed from the conversion table, corrected from a
staff spreadsheet, and the registry's figures on either map adding up to the same totals."""

import io
import itertools
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from cooperatives.models import Cooperative
from cooperatives.selectors import registry_as_of
from cooperatives.services import registry_report
from portal.access import user_scope
from portal.models import AdministrativeUnit, Agency, UnitMapping, User
from portal.roles import AGENCY_OFFICER
from portal.unitmap import UNKNOWN, area_today, mapping_apply, mapping_propose, mapping_read, today_areas
from tests.cooperatives.factories import CooperativeFactory
from tests.properties import examples

SERIAL = itertools.count()


def _unit(code):
    return AdministrativeUnit.objects.get(code=code)


def _sheet(rows, title_rows=2, name="bang.xlsx"):
    book = Workbook()
    sheet = book.active
    for index in range(title_rows):
        sheet.append(["BẢNG CHUYỂN ĐỔI ĐỊA BÀN CẤP XÃ" if index == 0 else None])
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue(), name


HEADERS = ["STT", "Xã cũ", "Huyện cũ", "Xã mới", "Ghi chú"]


def test_the_demo_places_every_old_commune_on_todays_map_as_the_conversion_table_says(demo):
    assert UnitMapping.objects.filter(source="proposed").count() == 31
    assert area_today(_unit("956-03").pk).name == "Xã Ninh Quới"  # Xã Ninh Quới A, Huyện Hồng Dân
    assert area_today(_unit("956-03").pk).code == "31849"
    assert area_today(_unit("954-01").pk).address == "Phường Bạc Liêu, Tỉnh Cà Mau"  # Phường 1, TP Bạc Liêu
    assert area_today(_unit("31849").pk).id == _unit("31849").pk  # today's commune is its own area
    assert area_today(_unit("956").pk) == UNKNOWN  # a district has no single commune today


def test_proposing_again_keeps_every_row_and_never_overwrites_a_staff_correction(demo, alliance_staff):
    row = UnitMapping.objects.get(old_unit__code="956-03")
    row.new_unit, row.source = _unit("31858"), UnitMapping.Source.MANUAL  # staff moved it to Xã Vĩnh Lộc
    row.save()
    result = mapping_propose(by=alliance_staff)
    assert (result.created, result.kept) == ([], 31)
    assert UnitMapping.objects.get(old_unit__code="956-03").new_unit.code == "31858"
    UnitMapping.objects.filter(old_unit__code__startswith="960").delete()
    result = mapping_propose(by=alliance_staff)
    assert len(result.created) == 5 and "Thị trấn Gành Hào (Huyện Đông Hải) → Xã Gành Hào" in result.created
    assert "Đã đề xuất 5 dòng chuyển đổi; giữ nguyên 26 dòng đã có." == result.summary()


def test_an_office_sheet_is_checked_whole_then_applied_whole_with_history_kept(demo, alliance_staff):
    content, name = _sheet(
        [
            HEADERS,
            [1, "Xã Ninh Quới A", "Huyện Hồng Dân", "Xã Vĩnh Lộc", "sửa theo quyết định của tỉnh"],
            [2, "  xa ninh quoi ", "Huyện Hồng Dân", "31849", ""],
            [3, "Thị trấn Gành Hào", "", "Xã Gành Hào", ""],
        ]
    )
    check = mapping_read(content, name)
    assert check.ok, check.errors
    assert [(r.number, r.change) for r in check.rows] == [(4, "đổi"), (5, "không đổi"), (6, "không đổi")]
    assert check.ignored == ["Ghi chú"]
    assert UnitMapping.objects.get(old_unit__code="956-03").new_unit.code == "31849"  # nothing written yet
    assert mapping_apply(check, by=alliance_staff) == {"new": 0, "changed": 1, "same": 2}
    row = UnitMapping.objects.get(old_unit__code="956-03")
    assert (row.new_unit.code, row.source, row.updated_by) == ("31858", "imported", alliance_staff)
    assert [h.new_unit.code for h in row.history.order_by("history_date")] == ["31849", "31858"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["Xã Không Có", "Huyện Hồng Dân", "Xã Ninh Quới"], "Dòng 4: không tìm thấy đơn vị cũ “Xã Không Có”"),
        (["Xã Ninh Quới A", "", "99999"], "Dòng 4: không có đơn vị hiện nay mã “99999”"),
        (["Xã Ninh Quới A", "Huyện Đông Hải", "Xã Ninh Quới"], "không tìm thấy đơn vị cũ “Xã Ninh Quới A” thuộc"),
        (["Xã Ninh Quới A", "", ""], "Dòng 4: thiếu mã hoặc tên đơn vị hiện nay"),
        (["Xã Gành Hào", "", "Xã Gành Hào"], "Xã Gành Hào (Tỉnh Cà Mau) vẫn còn hiệu lực, không cần chuyển đổi"),
        (["31849", "", "Xã Ninh Quới"], "Xã Ninh Quới (Tỉnh Cà Mau) vẫn còn hiệu lực"),
        (["Xã Ninh Quới A", "", "Huyện Hồng Dân"], "đã hết hiệu lực từ 30/06/2025, không phải đơn vị hiện nay"),
    ],
)
def test_a_row_that_maps_nothing_is_refused_by_its_sheet_row_and_nothing_is_written(demo, row, message):
    before = list(UnitMapping.objects.values_list("old_unit_id", "new_unit_id").order_by("pk"))
    good = ["Thị trấn Gành Hào", "", "Xã Gành Hào"]
    content, name = _sheet([HEADERS[1:4], row, good], title_rows=2)
    check = mapping_read(content, name)
    assert not check.ok
    assert any(message in error for error in check.errors), check.errors
    assert all(error.startswith("Dòng 4") for error in check.errors)  # the good row (5) is not blamed
    with pytest.raises(ValueError):
        mapping_apply(check)
    assert list(UnitMapping.objects.values_list("old_unit_id", "new_unit_id").order_by("pk")) == before


def test_a_sheet_with_an_unknown_column_or_no_rows_is_refused_with_a_message(demo):
    content, name = _sheet([["Xã cũ", "Xã mới", "Dân số"], ["Xã Ninh Quới A", "Xã Ninh Quới", 1000]])
    check = mapping_read(content, name)
    assert any("Cột C “Dân số” không khớp với cột nào đã biết" in e for e in check.errors)
    check = mapping_read(*_sheet([HEADERS]))
    assert check.errors == ["Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."]
    assert mapping_read(b"not a workbook", "x.xlsx").errors[0].startswith("Không đọc được tệp")


def test_staff_download_the_table_correct_it_and_import_it_in_the_admin(client, alliance_staff):
    client.force_login(alliance_staff)
    changelist = client.get(reverse("admin:portal_unitmapping_changelist"))
    assert changelist.status_code == 200 and "Nhập từ bảng tính" in changelist.content.decode()
    exported = client.get(reverse("admin:portal_unitmapping_sheet"))
    book = load_workbook(io.BytesIO(exported.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã đơn vị cũ", "Đơn vị cũ", "Huyện cũ", "Mã đơn vị hiện nay", "Đơn vị hiện nay")
    assert ("956-03", "Xã Ninh Quới A", "Huyện Hồng Dân", "31849", "Xã Ninh Quới") in [r[:5] for r in rows]
    assert len(rows) == 32
    for row in book.active.iter_rows(min_row=2):  # staff correct one row: Xã Ninh Quới A now in Xã Vĩnh Lộc
        if row[0].value == "956-03":
            row[3].value, row[4].value = "31858", "Xã Vĩnh Lộc"
    stream = io.BytesIO()
    book.save(stream)
    upload = io.BytesIO(stream.getvalue())
    upload.name = "chuyen-doi.xlsx"
    checked = client.post(reverse("admin:portal_unitmapping_import"), {"file": upload})
    page = checked.content.decode()
    assert checked.status_code == 200 and "31 dòng hợp lệ (0 mới, 1 sửa, 30 không đổi)" in page
    assert UnitMapping.objects.get(old_unit__code="956-03").new_unit.code == "31849"  # not yet
    token = checked.context["token"]
    done = client.post(reverse("admin:portal_unitmapping_import"), {"token": token})
    assert done.status_code == 302
    assert UnitMapping.objects.get(old_unit__code="956-03").new_unit.code == "31858"
    forged = client.post(reverse("admin:portal_unitmapping_import"), {"token": token[:-2] + "xx"})
    assert forged.status_code == 302 and forged.url == reverse("admin:portal_unitmapping_import")


def test_officers_and_editors_cannot_reach_the_mapping(client, officer_hong_dan, editor):
    for user in (officer_hong_dan, editor):
        client.force_login(user)
        for url in ("changelist", "import", "sheet"):
            response = client.get(reverse(f"admin:portal_unitmapping_{url}"))
            assert response.status_code in (302, 403), (user, url)
        assert client.post(reverse("admin:portal_unitmapping_propose")).status_code in (302, 403)


# --- figures on either map ------------------------------------------------------------------------------------------

OLD_COMMUNES = ["954-01", "954-02", "956-02", "956-03", "956-05", "960-01", "960-02", "961-04"]


def _registered(code, when, status="active", since=None, kind="htx"):
    number = next(SERIAL)
    return CooperativeFactory(
        unit=_unit(code),
        name=f"Hợp tác xã Thử Bản Đồ {number}",
        certificate_date=when,
        kind=kind,
        registration_code=f"77{number:08d}",
        slug=f"t-{number}",
        status=status,
        status_since=since,
    )


@settings(max_examples=examples(15), deadline=None)
@given(
    plan=st.lists(
        st.tuples(
            st.sampled_from(OLD_COMMUNES),
            st.dates(date(2010, 1, 1), date(2024, 12, 31)),
            st.sampled_from(["active", "suspended", "dissolved"]),
            st.sampled_from(["htx", "tht"]),
        ),
        max_size=12,
    ),
    unmapped=st.sets(st.sampled_from(OLD_COMMUNES), max_size=3),
    year=st.integers(2015, 2025),
)
def test_a_years_figures_on_the_old_and_the_new_map_add_up_to_the_same_totals(demo, plan, unmapped, year):
    Cooperative.objects.all().delete()  # the examples share one transaction: each starts from no registry
    mapping_propose()
    UnitMapping.objects.filter(old_unit__code__in=unmapped).delete()
    ids = []
    for code, when, status, kind in plan:
        since = None if status == "active" else min(date(2025, 6, 1), date(when.year + 1, 6, 1))
        ids.append(_registered(code, when, status, since, kind).pk)
    on = date(year, 12, 31)
    then, now = registry_as_of(on, units=None), registry_as_of(on, today_map=True)
    assert then.total == now.total
    for kinds in (["htx"], ["tht"], None):
        for statuses in (["active"], ["suspended"], ["dissolved"]):
            assert then.count(kinds=kinds, statuses=statuses) == now.count(kinds=kinds, statuses=statuses)
    assert sum(n for _, n in then.by_district()) == sum(n for _, n in now.by_district()) == then.total
    unknown = sum(g.n for g in now.groups if g.district_id is None)
    assert unknown == sum(1 for (code, when, *_rest) in plan if code in unmapped and when <= on)
    old_report = registry_report(Cooperative.objects.filter(pk__in=ids), year=year, units=None)
    new_report = registry_report(Cooperative.objects.filter(pk__in=ids), year=year, units=None, today_map=True)
    assert old_report["totals"] == new_report["totals"]
    assert new_report["map_label"] == "theo địa giới hiện nay"


def test_a_commune_officer_of_today_sees_the_cooperatives_of_the_communes_merged_into_it_and_no_other(client, demo):
    officer = User.objects.get(username="ninhquoi")
    assert officer.agency.name == "Ủy ban nhân dân Xã Ninh Quới" and officer.agency.kind == Agency.Kind.COMMUNE_PC
    mine = [_registered("956-02", date(2018, 1, 1)), _registered("956-03", date(2019, 1, 1))]
    today_own = _registered("31849", date(2025, 9, 1))
    theirs = [_registered("956-01", date(2018, 1, 1)), _registered("960-02", date(2018, 1, 1))]
    scope = user_scope(officer)
    assert {c.unit_id for c in mine + [today_own]} <= scope.unit_ids
    assert not {c.unit_id for c in theirs} & scope.unit_ids
    assert set(Cooperative.objects.for_user(officer).filter(pk__in=[c.pk for c in mine + theirs + [today_own]])) == {
        *mine,
        today_own,
    }
    client.force_login(officer)
    for coop in mine:
        assert client.get(reverse("cooperatives:internal_profile", args=[coop.slug])).status_code == 200
    for coop in theirs:
        assert client.get(reverse("cooperatives:internal_profile", args=[coop.slug])).status_code == 404
    # a second commune officer account of another commune sees none of them
    other = Agency.objects.create(name="UBND Xã Gành Hào", kind=Agency.Kind.COMMUNE_PC, unit=_unit("31972"))
    stranger = User.objects.create_user(username="ganhhao", password="x", agency=other)
    stranger.groups.add(Group.objects.get(name=AGENCY_OFFICER))
    assert not Cooperative.objects.for_user(stranger).filter(pk__in=[c.pk for c in mine]).exists()


def test_the_dashboard_draws_its_areas_on_either_map_with_the_same_total(client, demo, alliance_staff):
    for code, day in (("956-02", date(2018, 1, 1)), ("956-03", date(2019, 1, 1)), ("960-02", date(2018, 1, 1))):
        _registered(code, day)
    officer = User.objects.get(username="ninhquoi")
    for user, then_areas, today_areas_ in (
        (alliance_staff, {"Huyện Hồng Dân": 2, "Huyện Đông Hải": 1}, {"Xã Ninh Quới": 2, "Xã Long Điền": 1}),
        (officer, {"Huyện Hồng Dân": 2}, {"Xã Ninh Quới": 2}),
    ):
        client.force_login(user)
        then = client.get(reverse("cooperatives:dashboard")).context["counts"]
        now = client.get(reverse("cooperatives:dashboard"), {"ban_do": "hien-nay"}).context["counts"]
        assert dict(then["by_unit"]) == then_areas and dict(now["by_unit"]) == today_areas_
        assert then["total"] == now["total"] == sum(then_areas.values())


def test_the_directory_filters_by_todays_commune_and_finds_a_cooperative_by_its_old_commune(client, demo):
    old = _registered("956-03", date(2019, 1, 1))
    Cooperative.objects.filter(pk=old.pk).update(name="Hợp tác xã Lúa Tôm Kinh Xáng")
    old.refresh_from_db()
    old.save()  # its search text
    elsewhere = _registered("960-02", date(2019, 1, 1))
    listed = client.get(reverse("cooperatives:directory"), {"xa": _unit("31849").pk}).content.decode()
    assert old.name in listed and elsewhere.name not in listed
    assert "Xã Ninh Quới, Tỉnh Cà Mau (trước 7/2025: Xã Ninh Quới A, Huyện Hồng Dân)" in listed
    found = client.get(reverse("cooperatives:directory"), {"q": "ninh quoi a"}).content.decode()
    assert old.name in found


def test_a_public_profile_says_the_commune_of_today_and_the_former_one(client, demo):
    old = _registered("956-03", date(2019, 1, 1))
    page = client.get(reverse("cooperatives:profile", args=[old.slug])).content.decode()
    assert "Địa bàn hiện nay</dt><dd>Xã Ninh Quới, Tỉnh Cà Mau</dd>" in page
    assert "Địa bàn cũ (đến 30/06/2025)</dt><dd>Xã Ninh Quới A, Huyện Hồng Dân</dd>" in page
    new = _registered("31849", date(2025, 9, 1))
    page = client.get(reverse("cooperatives:profile", args=[new.slug])).content.decode()
    assert "<dt>Địa bàn</dt><dd>Xã Ninh Quới, Tỉnh Cà Mau</dd>" in page and "Địa bàn cũ" not in page
    UnitMapping.objects.filter(old_unit__code="956-03").delete()
    page = client.get(reverse("cooperatives:profile", args=[old.slug])).content.decode()
    assert "Chưa xác định" in page and "Xã Ninh Quới A, Huyện Hồng Dân" in page


def test_the_areas_follow_a_mapping_at_once(demo):
    assert today_areas()[_unit("956-03").pk].code == "31849"
    row = UnitMapping.objects.get(old_unit__code="956-03")
    row.new_unit = _unit("31858")
    row.save()
    assert today_areas()[_unit("956-03").pk].code == "31858"
    assert _unit("956-03").pk in user_scope(_officer_of("31858")).unit_ids
    assert _unit("956-03").pk not in user_scope(User.objects.get(username="ninhquoi")).unit_ids


def _officer_of(code):
    agency = Agency.objects.create(name=f"UBND thử {code}", kind=Agency.Kind.COMMUNE_PC, unit=_unit(code))
    user = User.objects.create_user(username=f"canbo{code}", password="x", agency=agency)
    user.groups.add(Group.objects.get(name=AGENCY_OFFICER))
    return user
