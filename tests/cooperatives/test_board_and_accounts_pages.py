"""Expired boards flagged on the profiles and counted on the dashboard; the legal representative rule in the admin
and on import; accounts kept counted the same on every page that shows it."""

import io
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from pypdf import PdfReader

from cooperatives.admin import CooperativeForm
from cooperatives.importing import run_import
from cooperatives.models import Congress, Cooperative, Person, Position, Post
from directives.indicators import prefill_values
from portal.models import AdministrativeUnit

from .factories import CooperativeFactory, YearlyFigureFactory
from .test_import import dataset, row

TODAY = timezone.localdate()


def _board(coop, *, ended_days_ago=None, name="Trần Văn Thử", post=Post.BOARD_CHAIR):
    """A board chair elected five years ago whose term ends `ended_days_ago` days before today (None: in term)."""
    end = TODAY + timedelta(days=300) if ended_days_ago is None else TODAY - timedelta(days=ended_days_ago)
    person = Person.objects.create(cooperative=coop, full_name=name)
    Position.objects.create(person=person, post=post, term_start=end - timedelta(days=5 * 365), term_end=end)
    return person


@pytest.fixture
def expired(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, name="Hợp tác xã Hết Nhiệm Kỳ", public_fields=["address"])
    _board(coop, ended_days_ago=200)
    return coop


@pytest.fixture
def in_term(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, name="Hợp tác xã Trong Nhiệm Kỳ")
    _board(coop)
    return coop


def test_an_expired_board_is_flagged_on_the_staff_profile_and_stated_on_the_public_one(
    client, alliance_staff, expired, in_term
):
    public = client.get(f"/hop-tac-xa/{expired.slug}/").content.decode()
    assert "Nhiệm kỳ đã hết, chưa cập nhật đại hội nhiệm kỳ mới" in public
    assert "Nhiệm kỳ đã hết" not in client.get(f"/hop-tac-xa/{in_term.slug}/").content.decode()
    client.force_login(alliance_staff)
    staff = client.get(f"/hop-tac-xa/quan-ly/{expired.slug}/").content.decode()
    assert "Hội đồng quản trị đã hết nhiệm kỳ" in staff
    assert "đã hết nhiệm kỳ" not in client.get(f"/hop-tac-xa/quan-ly/{in_term.slug}/").content.decode()


def test_a_term_congress_after_the_end_clears_the_flag(client, expired):
    Congress.objects.create(cooperative=expired, kind=Congress.Kind.TERM, held_date=TODAY - timedelta(days=10))
    assert "Nhiệm kỳ đã hết" not in client.get(f"/hop-tac-xa/{expired.slug}/").content.decode()


def _expired_mix(units):
    """Expired boards in both districts, beside ones that must not count: in term, renewed, a group, a dissolved
    cooperative, one without a board on record."""
    hong_dan, dong_hai = units["Xã Ninh Quới"], units["Xã Long Điền"]
    for unit, n in ((hong_dan, 3), (dong_hai, 2)):
        for i in range(n):
            _board(CooperativeFactory(unit=unit), ended_days_ago=30 + i)
    _board(CooperativeFactory(unit=hong_dan))
    renewed = CooperativeFactory(unit=hong_dan)
    _board(renewed, ended_days_ago=100)
    Congress.objects.create(cooperative=renewed, kind=Congress.Kind.TERM, held_date=TODAY - timedelta(days=50))
    _board(CooperativeFactory(unit=hong_dan, kind=Cooperative.Kind.GROUP, name="Tổ hợp tác Thử"), ended_days_ago=40)
    _board(
        CooperativeFactory(unit=hong_dan, status=Cooperative.Status.DISSOLVED, status_since=TODAY),
        ended_days_ago=40,
    )
    CooperativeFactory(unit=hong_dan)


@pytest.mark.parametrize(("user", "expected"), [("alliance_staff", 5), ("officer_hong_dan", 3)])
def test_the_dashboard_count_of_expired_boards_equals_the_list_it_links_to(client, units, request, user, expected):
    _expired_mix(units)
    client.force_login(request.getfixturevalue(user))
    dashboard = client.get("/hop-tac-xa/quan-ly/")
    count = dashboard.context["boards_expired"]
    link = f"/hop-tac-xa/?{dashboard.context['directory_query']}board=het-nhiem-ky"
    assert f'href="{link.replace("&", "&amp;")}"' in dashboard.content.decode()
    listed = client.get(link)
    assert count == listed.context["count"] == expected


def _form_data(coop, **changes):
    data = {k: v for k, v in model_to_dict(coop, fields=CooperativeForm._meta.fields).items() if v is not None}
    data["unit"] = coop.unit_id
    data.update(changes)
    return data


def test_the_admin_refuses_a_legal_representative_who_is_not_on_the_board(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, legal_representative="Trần Văn Thử")
    _board(coop, name="Trần Văn Thử")
    Person.objects.create(cooperative=coop, full_name="Lê Thị Kế Toán").positions.create(post=Post.CHIEF_ACCOUNTANT)
    assert CooperativeForm(_form_data(coop, legal_representative="trần  văn thử"), instance=coop).is_valid()
    form = CooperativeForm(_form_data(coop, legal_representative="Lê Thị Kế Toán"), instance=coop)
    assert not form.is_valid()
    assert "phải là Chủ tịch, thành viên Hội đồng quản trị hoặc Giám đốc" in form.errors["legal_representative"][0]
    assert "Trần Văn Thử" in form.errors["legal_representative"][0]


def test_the_import_names_the_row_whose_legal_representative_is_not_on_the_board(hong_dan_commune):
    coop = CooperativeFactory(unit=hong_dan_commune, registration_code="1900999001")
    _board(coop, name="Nguyễn Văn Mẫu")
    other = CooperativeFactory(unit=hong_dan_commune, registration_code="1900999002")
    _board(other, name="Phạm Thị Chủ Tịch")
    new = row(**{"Mã số đăng ký": "1900999003", "Tên": "Hợp tác xã Mới Thành Lập"})  # no board yet: not checked
    rows = [row(), row(**{"Mã số đăng ký": "1900999002", "Tên": "Hợp tác xã Hai"}), new]
    outcome = run_import(resource_key="cooperatives", dataset=dataset(*rows), dry_run=True)
    assert [e["row"] for e in outcome["errors"]] == [3]
    assert "“Nguyễn Văn Mẫu” phải là Chủ tịch" in " ".join(outcome["errors"][0]["messages"])


def test_accounts_kept_is_the_same_figure_on_the_dashboard_statistics_list_pdf_and_report(
    client, alliance_staff, units
):
    year = TODAY.year - 1
    hong_dan, dong_hai = units["Xã Ninh Quới"], units["Xã Long Điền"]
    for unit, kept, not_kept in ((hong_dan, 3, 1), (dong_hai, 2, 2)):
        for i in range(kept + not_kept):
            YearlyFigureFactory(cooperative=CooperativeFactory(unit=unit), year=year, keeps_accounts=i < kept)
    YearlyFigureFactory(cooperative=CooperativeFactory(unit=hong_dan), year=year - 1, keeps_accounts=True)
    gone = CooperativeFactory(unit=hong_dan, status=Cooperative.Status.DISSOLVED, status_since=TODAY.replace(month=1))
    YearlyFigureFactory(cooperative=gone, year=year, keeps_accounts=True)  # dissolved after the year: still counts
    group = CooperativeFactory(unit=hong_dan, kind=Cooperative.Kind.GROUP, name="Tổ hợp tác Kế Toán")
    YearlyFigureFactory(cooperative=group, year=year, keeps_accounts=True)  # a group is no HTX

    client.force_login(alliance_staff)
    dashboard = client.get("/hop-tac-xa/quan-ly/").context["accounts"]
    statistics = client.get("/hop-tac-xa/thong-ke/").context["accounts"]
    listed = client.get("/hop-tac-xa/?accounts=co-ke-toan").context["count"]
    pdf = client.get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": year}).content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    district_ids = AdministrativeUnit.objects.filter(level="district").values_list("pk", flat=True)
    all_units = AdministrativeUnit.objects.filter(pk__in=district_ids) | AdministrativeUnit.objects.filter(
        parent_id__in=district_ids
    )
    prefilled = prefill_values(
        ["htx_accounts_kept"],
        unit_ids=list(all_units.values_list("pk", flat=True)),
        period_start=TODAY.replace(year=year, month=1, day=1),
        period_end=TODAY.replace(year=year, month=12, day=31),
    )["htx_accounts_kept"]
    assert dashboard == statistics == {"year": year, "count": 6}
    assert listed == 6 and prefilled == 6
    assert f"thực hiện chế độ kế toán (có sổ sách kế toán) năm {year}: 6 đơn vị" in " ".join(text.split())
