"""History of who changed what and when on the registry, loans, directives and reports.

Each case edits a row through its admin page as the staff member whose job it is, the way a browser submits the
form (every field as the page shows it, one changed), then checks the history records the change and the user,
and that the admin's history page answers. Officers' report changes through /bao-cao/ are recorded too.
"""

from datetime import date
from decimal import Decimal

import pytest

from portal.models import AdministrativeUnit, Agency

from .htmlforms import form_data

pytestmark = pytest.mark.security


def admin_edit(client, obj, changes: dict):
    """Open the admin change page of `obj`, change `changes`, submit; returns the response."""
    meta = obj._meta
    url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200, url
    data = form_data(page.content.decode(), f"{meta.model_name}_form")
    for name, value in changes.items():
        data[name] = [value]
    data["_save"] = ["Lưu"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def _unit(name):
    """A unit of 2022 by name (today's list has a Xã Ninh Quới too)."""
    return AdministrativeUnit.objects.get(name=name, valid_to__isnull=False)


def _agency(username):
    return Agency.objects.get(officers__username=username)


def _cooperative():
    from tests.cooperatives.factories import CooperativeFactory

    return CooperativeFactory(unit=_unit("Xã Ninh Quới")), {"name": "Hợp tác xã Nông nghiệp Đổi Tên"}, "name"


def _loan():
    from tests.fund.factories import LoanFactory

    loan = LoanFactory(cooperative=_cooperative()[0])
    return loan, {"project_name": "Mở rộng vùng nuôi tôm càng xanh"}, "project_name"


def _loan_product():
    from tests.fund.factories import ProductFactory

    return ProductFactory(), {"name": "Cho vay tổ hợp tác"}, "name"


def _document():
    from tests.directives.factories import DocumentFactory

    return DocumentFactory(), {"summary": "Kế hoạch đã sửa trích yếu"}, "summary"


def _task():
    from tests.directives.factories import TaskFactory

    return TaskFactory(), {"text": "Nhiệm vụ đã sửa nội dung"}, "text"


def _assignment():
    from tests.directives.factories import assignment

    return assignment(_agency("hongdan")), {"progress_note": "Đã triển khai tới các xã"}, "progress_note"


def _report_request():
    from tests.directives.factories import report_request

    return report_request([_agency("hongdan")]), {"title": "Báo cáo năm 2022 (đã sửa)"}, "title"


def _report():
    from directives.services import report_get_or_create
    from tests.directives.factories import report_request

    report = report_get_or_create(request=report_request([_agency("hongdan")]), agency=_agency("hongdan"))
    return report, {"narrative": '{"Kết quả": "Đã hoàn thành"}'}, "narrative"


CASES = {
    "cooperative": (_cooperative, "alliance_staff"),
    "loan": (_loan, "fund_officer"),
    "loan product": (_loan_product, "fund_officer"),
    "directive document": (_document, "alliance_staff"),
    "task": (_task, "alliance_staff"),
    "task assignment": (_assignment, "alliance_staff"),
    "report request": (_report_request, "alliance_staff"),
    "report": (_report, "alliance_staff"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_change_made_in_the_admin_is_recorded_with_who_made_it(case, request, client):
    build, actor = CASES[case]
    staff = request.getfixturevalue(actor)
    obj, changes, field = build()
    client.force_login(staff)
    admin_edit(client, obj, changes)
    latest = obj.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", staff)
    obj.refresh_from_db()
    assert str(getattr(latest, field)) == str(getattr(obj, field))
    assert latest.diff_against(latest.prev_record).changed_fields == [field]
    meta = obj._meta
    page = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/history/")
    assert page.status_code == 200 and str(staff) in page.content.decode()


def test_a_report_value_changed_in_the_admin_inline_records_the_staff_member(client, alliance_staff):
    obj, _, _ = _report()
    value = obj.values.get(code="htx_total")
    client.force_login(alliance_staff)
    index = list(obj.values.order_by("pk")).index(value)  # the inline lists values in primary-key order
    admin_edit(client, obj, {f"values-{index}-value": "12"})
    latest = value.history.latest()
    assert (latest.value, latest.history_user) == (12, alliance_staff)


def test_an_officers_report_saves_and_attachments_are_recorded_with_the_officer(client, officer_hong_dan):
    from directives.models import Report
    from tests.directives.factories import pdf_upload, report_request

    rr = report_request([_agency("hongdan")])
    client.force_login(officer_hong_dan)
    data = {"version": 0, "section_0": "Đã làm", "ind_htx_total": "5", "ind_members": "40"}
    response = client.post(f"/bao-cao/yeu-cau/{rr.pk}/", {**data, "attachment": pdf_upload()})
    assert response.status_code == 302
    report = Report.objects.get(request=rr)
    client.post(f"/bao-cao/yeu-cau/{rr.pk}/", {**data, "version": report.version, "ind_htx_total": "6"})
    report.refresh_from_db()
    assert report.history.latest().history_user == officer_hong_dan and report.history.count() >= 3
    changed = report.values.get(code="htx_total").history.latest()
    assert (changed.value, changed.history_user) == (6, officer_hong_dan)
    assert report.files.get().history.get().history_user == officer_hong_dan


def test_a_repayment_entered_by_the_fund_officer_is_recorded_with_them(fund_officer):
    from fund.services import repayment_record
    from tests.fund.factories import booked_loan

    loan = booked_loan(by=fund_officer, cooperative=_cooperative()[0])
    payment = repayment_record(loan=loan, on=date(2024, 2, 15), amount=Decimal(10_000_000), by=fund_officer)
    assert (payment.history.get().history_type, payment.history.get().history_user) == ("+", fund_officer)


def test_a_districts_staff_cannot_read_another_districts_history_by_url(client, demo):
    """simple-history would fall back to the historical rows for an object outside the admin's queryset."""
    from django.contrib.auth.models import Group, Permission

    from directives.services import report_get_or_create
    from portal.models import User
    from portal.roles import AGENCY_OFFICER
    from tests.directives.factories import report_request

    report = report_get_or_create(request=report_request([_agency("donghai")]), agency=_agency("donghai"))
    clerk = User.objects.create_user("vanthu", password="x", is_staff=True, agency=_agency("hongdan"))
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_report", "change_report"]))
    clerk.groups.add(Group.objects.get(name=AGENCY_OFFICER))  # only the officer role opens an agency's units
    client.force_login(clerk)
    assert client.get(f"/admin/directives/report/{report.pk}/history/").status_code == 404
    own = report_get_or_create(request=report_request([_agency("hongdan")]), agency=_agency("hongdan"))
    assert client.get(f"/admin/directives/report/{own.pk}/history/").status_code == 200
