import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from directives.models import Report, ReportRequest
from directives.selectors import request_summary
from directives.services import report_transition
from portal import versioned
from portal.models import Agency

from .factories import filled_report, report_request

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _submit(report, officer_or_none, day):
    Report.objects.filter(pk=report.pk).update(
        state="submitted", first_submitted_at=datetime(day.year, day.month, day.day, 23, 30, tzinfo=TZ)
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def summary_setup(demo, alliance_staff):
    districts = list(Agency.objects.filter(kind="district_pc").order_by("name"))
    request = report_request(districts, deadline=date(2023, 1, 15), indicator_codes=["htx_total", "revenue"])
    a, b, c, d = districts[:4]
    ra = _submit(filled_report(request, a, htx_total=10, revenue=1_500_000_000), None, date(2023, 1, 15))
    rb = _submit(filled_report(request, b, htx_total=7, revenue=500_000_000), None, date(2023, 1, 16))
    rc = _submit(filled_report(request, c, htx_total=100, revenue=9), None, date(2023, 1, 10))
    filled_report(request, d)  # a draft
    report_transition(report=ra, action="accept", by=alliance_staff)
    report_transition(report=rb, action="accept", by=alliance_staff)
    report_transition(report=rc, action="return", by=alliance_staff, comment="Sai số liệu")
    return request, districts


def test_completeness_and_timeliness_rates(summary_setup):
    request, districts = summary_setup
    summary = request_summary(request, on=date(2023, 2, 1))
    assert summary.asked == 7
    assert summary.submitted == 2  # accepted a and b; c was returned, d is a draft
    assert summary.on_time == 2  # a on the deadline day itself, c early (even if returned later); b late
    assert str(summary.completeness) == "28.6" and str(summary.timeliness) == "28.6"
    states = {cell.agency: cell.state for cell in summary.cells}
    assert states[districts[0]] == "accepted" and states[districts[2]] == "returned"
    assert states[districts[3]] == "draft" and states[districts[4]] == "not_started"


def test_indicators_of_accepted_reports_only_are_summed_per_unit_and_for_the_province(summary_setup):
    request, districts = summary_setup
    summary = request_summary(request, on=date(2023, 2, 1))
    assert summary.province == {"htx_total": 17, "revenue": 2_000_000_000}
    assert dict(summary.unit_rows)[districts[0].unit.name] == {"htx_total": 10, "revenue": 1_500_000_000}
    assert districts[2].unit.name not in dict(summary.unit_rows)  # returned: not counted


def test_the_xlsx_export_carries_vietnamese_text_and_the_totals(client, alliance_staff, summary_setup):
    request, districts = summary_setup
    client.force_login(alliance_staff)
    response = client.get(f"/bao-cao/tong-hop/{request.pk}/xlsx/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(response.content))
    status = book["Tình hình nộp"]
    rows = [[c.value for c in row] for row in status.iter_rows()]
    assert ["Cơ quan, đơn vị", "Trạng thái", "Gửi lần đầu"] in rows
    assert [districts[1].name, "Đã chấp nhận", "16/01/2023"] in rows
    values = [[c.value for c in row] for row in book["Chỉ tiêu"].iter_rows()]
    assert values[0][-1] == "Toàn tỉnh"
    assert values[1][0] == "Tổng số hợp tác xã" and values[1][-1] == 17


def test_the_pdf_export_keeps_every_vietnamese_diacritic(client, alliance_staff, summary_setup):
    request, districts = summary_setup
    client.force_login(alliance_staff)
    response = client.get(f"/bao-cao/tong-hop/{request.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Tỷ lệ đầy đủ: 28,6%" in text
    assert "Ủy ban nhân dân Huyện Đông Hải" in text
    assert "Tổng số hợp tác xã" in text and "Toàn tỉnh" in text
    assert "Bị trả lại" in text


def test_a_report_pdf_keeps_the_officers_vietnamese_text(client, officer_hong_dan, h1_request, hong_dan):
    report = filled_report(h1_request, hong_dan)
    report.narrative = {"Kết quả đạt được": "Hợp tác xã Nông nghiệp Ninh Quới tổ chức đại hội thường niên"}
    report.save()
    client.force_login(officer_hong_dan)
    response = client.get(f"/bao-cao/so/{report.pk}/pdf/")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Hợp tác xã Nông nghiệp Ninh Quới tổ chức đại hội thường niên" in text
    assert "ỦY BAN NHÂN DÂN HUYỆN HỒNG DÂN" in text  # the issuing body, in capitals as the form prints it


def _table(response) -> str:
    page = response.content.decode()
    return page[page.index('<table class="data matrix">') : page.index("</table>")]


@pytest.mark.parametrize("size", [2, 8])
def test_the_matrix_costs_the_same_queries_at_two_sizes(client, alliance_staff, demo, django_assert_num_queries, size):
    agencies = list(Agency.objects.all())
    for i in range(size):
        request = report_request(agencies[: 3 + i], title=f"Báo cáo {i}")
        filled_report(request, agencies[0])
    client.force_login(alliance_staff)
    client.get("/bao-cao/tong-hop/")
    versioned.bump("report-matrix")  # rebuilt: the pairs asked, the agencies and the reports
    with django_assert_num_queries(9):
        response = client.get("/bao-cao/tong-hop/")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(size, 6)
    assert response.content.decode().count('<th scope="row">') == 3 + size - 1  # the newest request asks the most
    with django_assert_num_queries(3):  # the page kept (portal.staffcache): the session, the user, their groups
        again = client.get("/bao-cao/tong-hop/")
    assert _table(again) == _table(response)


def test_the_cached_matrix_follows_report_transitions_and_new_agencies(
    client, alliance_staff, officer_hong_dan, hong_dan
):
    districts = list(Agency.objects.filter(kind="district_pc").exclude(pk=hong_dan.pk).order_by("name"))
    request = report_request([hong_dan], title="Báo cáo quý")
    client.force_login(alliance_staff)
    assert "Chưa thực hiện" in client.get("/bao-cao/tong-hop/").content.decode()
    report = filled_report(request, hong_dan)
    page = client.get("/bao-cao/tong-hop/").content.decode()
    assert "Đang soạn" in page and f"/bao-cao/so/{report.pk}/" in page
    report_transition(report=report, action="submit", by=officer_hong_dan)
    page = client.get("/bao-cao/tong-hop/").content.decode()
    assert "Đã gửi đúng hạn" in page or "Đã gửi muộn" in page
    assert districts[0].name not in page
    request.agencies.add(districts[0])
    page = client.get("/bao-cao/tong-hop/").content.decode()
    assert districts[0].name in page
    districts[0].name = "Ủy ban nhân dân Huyện Mới Đổi Tên"
    districts[0].save()
    assert "Huyện Mới Đổi Tên" in client.get("/bao-cao/tong-hop/").content.decode()


def test_the_matrix_marks_cells_not_asked_and_overdue(demo):
    from directives.selectors import report_matrix

    a, b = Agency.objects.filter(kind="district_pc").order_by("name")[:2]
    first = report_request([a, b], title="Một", deadline=date(2023, 1, 15))
    second = report_request([a], title="Hai", deadline=date(2023, 3, 15))
    _submit(filled_report(first, a), None, date(2023, 1, 14))
    matrix = report_matrix(
        ReportRequest.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"), on=date(2023, 2, 1)
    )
    rows = {agency: cells for agency, cells in matrix.rows}
    assert [c.state for c in rows[a]] == ["on_time", "not_started"]
    assert [c.overdue for c in rows[a]] == [False, False]
    assert rows[b][0].state == "not_started" and rows[b][0].overdue and rows[b][1] is None


@pytest.mark.parametrize("size", [2, 8])
def test_the_request_summary_page_costs_the_same_queries_at_two_sizes(
    client, alliance_staff, demo, django_assert_num_queries, size
):
    agencies = list(Agency.objects.all())[:size]
    request = report_request(agencies)
    for agency in agencies:
        filled_report(request, agency)
    client.force_login(alliance_staff)
    client.get(f"/bao-cao/tong-hop/{request.pk}/")
    with django_assert_num_queries(8):
        assert client.get(f"/bao-cao/tong-hop/{request.pk}/").status_code == 200


def test_the_directive_task_table_shows_each_agencys_status(client, alliance_staff, directives_demo):
    client.force_login(alliance_staff)
    page = client.get("/bao-cao/chi-dao/1047-ubnd-kt/").content.decode()
    assert "Ủy ban nhân dân Huyện Phước Long" in page
    # The demo's 2022 is history: its tasks with a 2022 deadline were all done by spring 2023, some late; the
    # recurring ones go on. "Overdue" is true to the day asked: on 31/07/2022 task 2 (due 30/06/2022) was.
    assert "Hoàn thành đúng hạn" in page and "Hoàn thành quá hạn" in page and "Đang thực hiện trong hạn" in page
    assert "Đang thực hiện quá hạn" not in page
    from directives.scorecard import task_rows

    overdue_then = [a for a, status in task_rows(date(2022, 7, 31)) if status == "overdue"]
    assert overdue_then and {a.task.order for a in overdue_then} == {2}
    assert not [a for a, status in task_rows(date(2023, 6, 30)) if status == "overdue"]
