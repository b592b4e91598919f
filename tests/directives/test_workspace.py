from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Report

from .factories import assignment, pdf_upload, report_request


def _post(request, version, action="save", **extra):
    data = {
        "version": version,
        "action": action,
        "section_0": "Thành lập mới 2 hợp tác xã",
        "section_1": "Thiếu vốn",
        "ind_htx_total": "12",
        "ind_members": "340",
        "ind_boards_trained": "9",
    }
    data.update(extra)
    return data


def test_an_officer_saves_a_draft_then_submits_it(client, officer_hong_dan, h1_request, hong_dan):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Sổ đăng ký" in page.content.decode()
    assert not Report.objects.exists()  # looking does not start a report
    response = client.post(url, _post(h1_request, 0, attachment=pdf_upload("Báo cáo Hồng Dân.pdf")))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.state == "draft" and report.narrative["Kết quả đạt được"] == "Thành lập mới 2 hợp tác xã"
    assert report.values.get(code="members").value == 340
    assert report.files.get().original_name == "Báo cáo Hồng Dân.pdf"
    response = client.post(url, _post(h1_request, report.version, action="submit"))
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.state == "submitted" and report.first_submitted_at is not None
    assert client.get(url).status_code == 302  # a submitted report is read-only


def test_the_second_of_two_officers_saving_at_once_is_refused_and_keeps_their_text(
    client, officer_hong_dan, h1_request, hong_dan
):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _post(h1_request, 0))
    opened = Report.objects.get().version
    assert client.post(url, _post(h1_request, opened, section_0="Bản của cán bộ A")).status_code == 302
    response = client.post(url, _post(h1_request, opened, section_0="Bản của cán bộ B"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "đã được người khác lưu" in page
    assert "Bản của cán bộ B" in page  # their text is still in the form
    assert Report.objects.get().narrative["Kết quả đạt được"] == "Bản của cán bộ A"


def test_two_officers_starting_the_same_report_do_not_overwrite_each_other(client, officer_hong_dan, h1_request):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _post(h1_request, 0, section_0="Người đầu"))
    response = client.post(url, _post(h1_request, 0, section_0="Người sau"))
    assert response.status_code == 400 and "Người sau" in response.content.decode()
    assert Report.objects.get().narrative["Kết quả đạt được"] == "Người đầu"


def test_bad_input_is_answered_in_vietnamese_and_kept(client, officer_hong_dan, h1_request):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    bad_file = SimpleUploadedFile("so-lieu.pdf", b"MZ not a pdf")
    response = client.post(url, _post(h1_request, 0, ind_members="-5", ind_htx_total="mười", attachment=bad_file))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Số liệu không được âm." in page
    assert "không đúng định dạng" in page
    assert "Thành lập mới 2 hợp tác xã" in page
    assert not Report.objects.exists()


def test_submitting_without_every_indicator_keeps_the_draft_text_and_says_what_is_missing(
    client, officer_hong_dan, h1_request
):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    response = client.post(url, _post(h1_request, 0, action="submit", ind_boards_trained=""))
    assert response.status_code == 400
    assert "Hãy xác nhận hoặc nhập số liệu trước khi gửi." in response.content.decode()
    assert not Report.objects.filter(state="submitted").exists()


def test_a_returned_report_shows_the_comment_and_can_be_resubmitted(
    client, officer_hong_dan, alliance_staff, h1_request
):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _post(h1_request, 0))
    client.post(url, _post(h1_request, Report.objects.get().version, action="submit"))
    report = Report.objects.get()
    client.force_login(alliance_staff)
    response = client.post(f"/bao-cao/so/{report.pk}/duyet/", {"action": "return", "comment": "Bổ sung số thành viên"})
    assert response.status_code == 302
    client.force_login(officer_hong_dan)
    assert "Bổ sung số thành viên" in client.get("/bao-cao/").content.decode()
    page = client.get(url)
    assert "Bổ sung số thành viên" in page.content.decode()
    report.refresh_from_db()
    client.post(url, _post(h1_request, report.version, action="submit", ind_members="351"))
    report.refresh_from_db()
    assert report.state == "submitted"
    assert list(report.transitions.values_list("action", flat=True)) == ["submit", "return", "submit"]


def test_staff_returning_without_a_comment_get_a_vietnamese_message(
    client, officer_hong_dan, alliance_staff, h1_request
):
    client.force_login(officer_hong_dan)
    url = f"/bao-cao/yeu-cau/{h1_request.pk}/"
    client.post(url, _post(h1_request, 0))
    client.post(url, _post(h1_request, Report.objects.get().version, action="submit"))
    client.force_login(alliance_staff)
    response = client.post(f"/bao-cao/so/{Report.objects.get().pk}/duyet/", {"action": "return", "comment": ""})
    assert response.status_code == 400 and "Hãy ghi ý kiến" in response.content.decode()


def test_the_workspace_lists_overdue_and_due_soon_first(client, officer_hong_dan, hong_dan):
    later = report_request([hong_dan], title="Hạn muộn", deadline=date(2030, 1, 15), period_end=date(2029, 12, 31))
    overdue = report_request([hong_dan], title="Đã quá hạn", deadline=date(2022, 1, 15))
    client.force_login(officer_hong_dan)
    cells = client.get("/bao-cao/").context["cells"]
    assert [c.request for c in cells] == [overdue, later]
    assert cells[0].overdue and not cells[1].overdue


@pytest.mark.parametrize("size", [2, 12])
def test_the_workspace_costs_the_same_queries_at_two_sizes(
    client, officer_hong_dan, hong_dan, django_assert_num_queries, size
):
    for i in range(size):
        request = report_request([hong_dan], title=f"Báo cáo {i}")
        Report.objects.create(request=request, agency=hong_dan)
        assignment(hong_dan)
    client.force_login(officer_hong_dan)
    client.get("/bao-cao/")  # warm the session and user
    # 11: the 8 of the workspace, the count of appraisals waiting for the agency's opinion (its link), the letters
    # addressed to the agency and the documents it issued
    with django_assert_num_queries(11):
        assert client.get("/bao-cao/").status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_the_staff_workspace_lists_reports_waiting_with_the_same_queries_at_two_sizes(
    client, alliance_staff, django_assert_num_queries, size
):
    from portal.models import Agency

    from .factories import filled_report

    agencies = list(Agency.objects.all()[:size])
    request = report_request(agencies)
    for agency in agencies:
        Report.objects.filter(pk=filled_report(request, agency).pk).update(state="submitted")
    client.force_login(alliance_staff)
    client.get("/bao-cao/")
    with django_assert_num_queries(7):  # built again (the CSRF cookie is new), the permissions read from the cache
        response = client.get("/bao-cao/")
    assert len(response.context["waiting"].object_list) == size
