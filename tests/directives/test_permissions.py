"""The permission matrix: an officer of one district gets 404 on another district's objects, everywhere."""

import pytest
from django.contrib.auth.models import Group

from directives.models import Report, ReportFile, TaskAssignment
from directives.services import report_attach, report_transition

from .factories import assignment, filled_report, pdf_upload


@pytest.fixture
def hong_dan_objects(h1_request, hong_dan, officer_hong_dan):
    report = filled_report(h1_request, hong_dan)
    report_file = report_attach(report=report, upload=pdf_upload(), by=officer_hong_dan)
    task = assignment(hong_dan)
    return {"report": report, "file": report_file, "assignment": task, "request": h1_request}


def _urls(objects):
    report, report_file = objects["report"], objects["file"]
    return [
        f"/bao-cao/so/{report.pk}/",
        f"/bao-cao/so/{report.pk}/pdf/",
        f"/bao-cao/tep/{report_file.pk}/",
        f"/bao-cao/nhiem-vu/{objects['assignment'].pk}/",
    ]


def test_an_officer_opens_their_own_report_file_pdf_and_assignment(client, officer_hong_dan, hong_dan_objects):
    client.force_login(officer_hong_dan)
    for url in _urls(hong_dan_objects):
        assert client.get(url).status_code == 200, url


def test_an_officer_of_another_district_gets_404_on_each_object_by_direct_url(
    client, officer_dong_hai, hong_dan_objects
):
    client.force_login(officer_dong_hai)
    for url in _urls(hong_dan_objects):
        assert client.get(url).status_code == 404, url
    report, report_file = hong_dan_objects["report"], hong_dan_objects["file"]
    assert client.post(f"/bao-cao/tep/{report_file.pk}/xoa/").status_code == 404
    assert client.post(f"/bao-cao/so/{report.pk}/duyet/", {"action": "accept"}).status_code == 404
    assert ReportFile.objects.filter(pk=report_file.pk).exists()


def test_an_officer_cannot_open_a_request_their_agency_was_not_asked_for(client, officer_hong_dan, hong_dan, dong_hai):
    from .factories import report_request

    other = report_request([dong_hai])
    client.force_login(officer_hong_dan)
    assert client.get(f"/bao-cao/yeu-cau/{other.pk}/").status_code == 404
    assert client.post(f"/bao-cao/yeu-cau/{other.pk}/", {"version": 0, "action": "save"}).status_code == 404


def test_the_workspace_lists_only_the_officers_own_agency(client, officer_dong_hai, hong_dan_objects, dong_hai):
    assignment(dong_hai, text="Nhiệm vụ riêng của Đông Hải")
    client.force_login(officer_dong_hai)
    response = client.get("/bao-cao/")
    assert {a.agency for a in response.context["assignments"]} == {dong_hai}
    assert {c.agency for c in response.context["cells"]} == {dong_hai}


def test_anonymous_visitors_are_sent_to_the_login_page(client, hong_dan_objects):
    for url in ["/bao-cao/", *_urls(hong_dan_objects), "/bao-cao/tong-hop/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/?next="), url


def test_officers_do_not_see_the_province_view(client, officer_hong_dan, hong_dan_objects):
    client.force_login(officer_hong_dan)
    request_pk = hong_dan_objects["request"].pk
    for url in [
        "/bao-cao/tong-hop/",
        f"/bao-cao/tong-hop/{request_pk}/",
        f"/bao-cao/tong-hop/{request_pk}/xlsx/",
        f"/bao-cao/tong-hop/{request_pk}/pdf/",
    ]:
        assert client.get(url).status_code == 404, url


def test_province_staff_see_every_agencys_report_and_file(client, alliance_staff, fund_officer, hong_dan_objects):
    for user in (alliance_staff, fund_officer):
        client.force_login(user)
        for url in _urls(hong_dan_objects):
            assert client.get(url).status_code == 200, (user, url)


def test_a_fund_officer_cannot_accept_a_report(client, fund_officer, officer_hong_dan, hong_dan_objects):
    report = report_transition(report=hong_dan_objects["report"], action="submit", by=officer_hong_dan)
    client.force_login(fund_officer)
    assert client.post(f"/bao-cao/so/{report.pk}/duyet/", {"action": "accept"}).status_code == 404
    assert Report.objects.get(pk=report.pk).state == "submitted"


@pytest.fixture
def staff_officer_dong_hai(officer_dong_hai):
    """An officer given admin access: the admin must still scope every object to their agency."""
    officer_dong_hai.is_staff = True
    officer_dong_hai.save()
    assert officer_dong_hai.groups.filter(name="Cán bộ đơn vị").exists()
    return officer_dong_hai


def test_in_the_admin_an_officer_sees_only_their_agencys_rows_and_404_on_others(
    client, staff_officer_dong_hai, hong_dan_objects, h1_request, dong_hai
):
    own = filled_report(h1_request, dong_hai)
    client.force_login(staff_officer_dong_hai)
    changelist = client.get("/admin/directives/report/")
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].queryset) == [own]
    report, report_file = hong_dan_objects["report"], hong_dan_objects["file"]
    assert client.get(f"/admin/directives/report/{report.pk}/change/").status_code == 404
    assert client.get(f"/admin/directives/reportfile/{report_file.pk}/change/").status_code == 404
    assert (
        client.get(f"/admin/directives/taskassignment/{hong_dan_objects['assignment'].pk}/change/").status_code == 404
    )
    assert client.get(f"/admin/directives/report/{own.pk}/change/").status_code == 200
    assert not client.get("/admin/directives/taskassignment/").context["cl"].queryset.exists()


def test_the_officer_role_has_the_permissions_the_workspace_needs(demo):
    group = Group.objects.get(name="Cán bộ đơn vị")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_report", "change_report", "view_taskassignment", "change_taskassignment"} <= codenames
    assert "change_reportrequest" not in codenames and "delete_report" not in codenames


def test_the_assignment_page_lets_only_the_agency_report_progress(client, officer_hong_dan, hong_dan_objects):
    item = hong_dan_objects["assignment"]
    client.force_login(officer_hong_dan)
    response = client.post(
        item.get_absolute_url(), {"progress": "1", "p-progress_note": "Đã xong", "p-completed_on": "2022-06-20"}
    )
    assert response.status_code == 302
    item = TaskAssignment.objects.get(pk=item.pk)
    assert item.completed_on.isoformat() == "2022-06-20" and item.status() == "done_on_time"


def test_bad_progress_input_is_answered_in_vietnamese_and_kept(client, officer_hong_dan, hong_dan_objects):
    item = hong_dan_objects["assignment"]
    client.force_login(officer_hong_dan)
    response = client.post(
        item.get_absolute_url(), {"progress": "1", "p-progress_note": "Đang làm dở", "p-completed_on": "31/02/2022"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Đang làm dở" in page and "hợp lệ" in page
    future = client.post(
        item.get_absolute_url(), {"progress": "1", "p-progress_note": "Xong sớm", "p-completed_on": "2999-01-01"}
    )
    assert future.status_code == 400 and "Ngày hoàn thành không được ở tương lai." in future.content.decode()
    assert TaskAssignment.objects.get(pk=item.pk).completed_on is None


def test_staff_grant_an_extension_on_the_assignment_page_and_a_missing_reason_is_refused(
    client, alliance_staff, hong_dan_objects
):
    item = hong_dan_objects["assignment"]
    client.force_login(alliance_staff)
    refused = client.post(item.get_absolute_url(), {"extend": "1", "e-extended_deadline": "2022-08-31"})
    assert refused.status_code == 400 and "Gia hạn phải ghi lý do." in refused.content.decode()
    done = client.post(
        item.get_absolute_url(),
        {"extend": "1", "e-extended_deadline": "2022-08-31", "e-extension_reason": "Chờ số liệu của xã"},
    )
    assert done.status_code == 302
    assert TaskAssignment.objects.get(pk=item.pk).extended_deadline.isoformat() == "2022-08-31"


def test_unknown_ids_are_404_not_500(client, officer_hong_dan, demo):
    client.force_login(officer_hong_dan)
    for url in [
        "/bao-cao/so/999999/",
        "/bao-cao/yeu-cau/999999/",
        "/bao-cao/tep/999999/",
        "/bao-cao/nhiem-vu/0/",
        "/van-ban/khong-co-van-ban-nay/",
        "/van-ban/tep/999999/",
    ]:
        assert client.get(url).status_code == 404, url
