"""The documents the directives app issues: a unit's report when it is submitted, the alliance's summary report, the
alliance's letters (reminders, returns), and who may open them. Layout checked from the PDF's text (pdftotext)."""

import io
import re
import subprocess
import uuid
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from directives import official
from directives.models import Report, ReportValue
from directives.selectors import request_summary
from directives.services import letter_issue, report_submit, report_transition
from portal.formatting import group_thousands
from portal.models import Agency, IssuedDocument, Notification, Signatory
from tests.properties import examples

from .factories import filled_report

A = Report.Action
WORKFLOW_WORDS = ("Trạng thái", "Lịch sử", "Đã gửi", "Chờ duyệt", "Đã chấp nhận", "Bị trả lại")


def pdf_text(data: bytes, *, layout: bool = True) -> str:
    """pdftotext's reading of the page; without `layout`, the text in the order it is drawn (pypdf), where a mark
    laid over the page (DỰ THẢO) stays in one piece."""
    if not layout:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def alliance(demo):
    agency = Agency.objects.get(kind=Agency.Kind.ALLIANCE)
    agency.doc_code, agency.place_name, agency.head_title = "LMHTX", "Bạc Liêu", "Chủ tịch"
    agency.save()
    agency.signatories.all().delete()  # the demo's head and deputy: these tests name their own
    Signatory.objects.create(agency=agency, full_name="Lê Văn Tâm", title="Chủ tịch", is_head=True)
    return agency


@pytest.fixture
def issuing(hong_dan, alliance):
    """Hồng Dân as it prints on its documents, with its chairman and a deputy who signs "KT."."""
    hong_dan.governing_body, hong_dan.doc_code, hong_dan.place_name = "", "UBND", "Hồng Dân"
    hong_dan.collective_name, hong_dan.head_title = "Ủy ban nhân dân", "Chủ tịch"
    hong_dan.save()
    hong_dan.signatories.all().delete()  # the demo's head and deputy: these tests name their own
    head = Signatory.objects.create(agency=hong_dan, full_name="Nguyễn Văn An", title="Chủ tịch", is_head=True)
    deputy = Signatory.objects.create(agency=hong_dan, full_name="Trần Thị Bình", title="Phó Chủ tịch")
    return {"head": head, "deputy": deputy}


def _submitted(h1_request, hong_dan, officer, **kwargs):
    report = filled_report(h1_request, hong_dan, htx_total=1500000, members=2345, boards_trained=7)
    Report.objects.filter(pk=report.pk).update(
        narrative={"Kết quả đạt được": "Thành lập mới 3 HTX.\nCủng cố 2 HTX yếu.", "Khó khăn, vướng mắc": "Thiếu vốn."}
    )
    with committed():
        return report_transition(report=report, action=A.SUBMIT, by=officer, **kwargs)


def committed():
    """Run what waits for the commit (the worker's rendering of the issued PDF, eager in the tests) at the end of the
    block, as the request's commit would: a test's own transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _issued(report):
    ct = ContentType.objects.get_for_model(Report)
    return IssuedDocument.objects.filter(source_type=ct, source_id=report.pk, kind="BC").order_by("pk")


# --- a unit's report ------------------------------------------------------------------------------------------------


def test_a_submitted_report_is_issued_in_the_unit_s_name_with_its_sections_figures_and_signatory(
    h1_request, hong_dan, officer_hong_dan, issuing
):
    report = _submitted(h1_request, hong_dan, officer_hong_dan)
    (doc,) = _issued(report)
    assert (doc.agency, doc.kind, doc.reference, doc.subject) == (hong_dan, "BC", "01/BC-UBND", h1_request.title)
    text = pdf_text(doc.pdf.read())
    lines = text.splitlines()
    column = lines[0].index("CỘNG HÒA")
    top_left = flat(" ".join(line[:column] for line in lines[:3]))
    assert "ỦY BAN NHÂN DÂN HUYỆN HỒNG DÂN" in top_left
    assert "LIÊN MINH" not in text.split("BÁO CÁO")[0]  # the alliance is a recipient, not the issuer
    words = flat(text)
    for expected in (
        "Số: 01/BC-UBND",
        "Hồng Dân, ngày",
        "I. Kết quả đạt được",
        "Thành lập mới 3 HTX.",
        "Củng cố 2 HTX yếu.",
        "II. Khó khăn, vướng mắc",
        "Thiếu vốn.",
        "III. Số liệu các chỉ tiêu",
        "1.500.000",
        "2.345",
        "Nơi nhận:",
        "Liên minh Hợp tác xã tỉnh Bạc Liêu",
        "Lưu: VT",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Văn An",
    ):
        assert expected in words, expected
    for word in WORKFLOW_WORDS:
        assert word not in words


def test_the_deputy_chosen_signs_for_the_head(h1_request, hong_dan, officer_hong_dan, issuing):
    report = _submitted(h1_request, hong_dan, officer_hong_dan, signatory=issuing["deputy"])
    words = flat(pdf_text(_issued(report).get().pdf.read()))
    assert "KT. CHỦ TỊCH" in words and "Trần Thị Bình" in words and "Nguyễn Văn An" not in words


def test_the_officer_s_markup_is_printed_as_text_never_as_html(h1_request, hong_dan, officer_hong_dan, issuing):
    report = filled_report(h1_request, hong_dan)
    Report.objects.filter(pk=report.pk).update(narrative={"Kết quả đạt được": "<b>đậm</b><script>x()</script>"})
    report = report_transition(report=report, action=A.SUBMIT, by=officer_hong_dan)
    doc = _issued(report).get()
    assert "<b>" not in doc.body_html and "<script" not in doc.body_html
    assert "&lt;b&gt;đậm&lt;/b&gt;" in doc.body_html


def test_a_report_returned_and_submitted_again_gets_the_next_number_and_replaces_the_first(
    h1_request, hong_dan, officer_hong_dan, alliance_staff, issuing
):
    report = _submitted(h1_request, hong_dan, officer_hong_dan)
    report_transition(report=report, action=A.RETURN, by=alliance_staff, comment="Bổ sung số liệu")
    report_transition(report=report, action=A.SUBMIT, by=officer_hong_dan)
    first, second = _issued(report)
    assert (first.reference, second.reference) == ("01/BC-UBND", "02/BC-UBND")
    assert second.replaces == first and first.replaces is None


def test_a_failed_rendering_keeps_the_report_sent_and_its_number_and_the_staff_render_it_again(
    client, h1_request, hong_dan, officer_hong_dan, alliance_staff, issuing, monkeypatch
):
    report = filled_report(h1_request, hong_dan)

    def broken(*args, **kwargs):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr("portal.official.render_html_pdf", broken)
    with committed():
        report = report_transition(report=report, action=A.SUBMIT, by=officer_hong_dan)
    assert report.state == Report.State.SUBMITTED
    doc = _issued(report).get()
    assert doc.reference == "01/BC-UBND" and not doc.pdf and doc.render_error == "RuntimeError: the renderer broke"
    client.force_login(officer_hong_dan)
    assert "Chưa tạo được bản PDF" in client.get(report.get_absolute_url()).content.decode()
    pending = client.get(reverse("directives:report_pdf", args=[report.pk]))
    assert pending.status_code == 202 and "Chưa tạo được bản PDF của văn bản này" in pending.content.decode()

    monkeypatch.undo()
    client.force_login(alliance_staff)
    changelist = reverse("admin:portal_issueddocument_changelist")
    with committed():
        answer = client.post(changelist, {"action": "render_again", "_selected_action": [doc.pk]}, follow=True)
    assert "Đã xếp 1 văn bản vào hàng đợi tạo bản PDF." in answer.content.decode()
    doc.refresh_from_db()
    assert doc.reference == "01/BC-UBND" and doc.render_error == ""
    assert "Số: 01/BC-UBND" in flat(pdf_text(doc.pdf.read()))


def test_until_the_worker_has_written_it_the_issued_pdf_s_address_says_it_is_being_made(
    client, h1_request, hong_dan, officer_hong_dan, issuing
):
    report = report_transition(report=filled_report(h1_request, hong_dan), action=A.SUBMIT, by=officer_hong_dan)
    doc = _issued(report).get()  # the test's transaction never commits: nothing rendered it
    client.force_login(officer_hong_dan)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Bản PDF đang được tạo" in page
    pending = client.get(reverse("directives:issued_file", args=[doc.pk]) + "?xem=1")
    text = pending.content.decode()
    assert pending.status_code == 202 and 'http-equiv="refresh"' in text and "đang được tạo bản PDF" in text
    assert "01/BC-UBND" in text


def test_an_agency_without_signatories_prints_the_head_s_title_and_no_name(h1_request, hong_dan, officer_hong_dan):
    hong_dan.collective_name, hong_dan.doc_code = "Ủy ban nhân dân", "UBND"
    hong_dan.save()
    hong_dan.signatories.all().delete()  # the demo gives every agency a head and a deputy
    report = _submitted(h1_request, hong_dan, officer_hong_dan)
    doc = _issued(report).get()
    assert doc.signature == {"on_behalf": "TM. ỦY BAN NHÂN DÂN", "deputy_of": "", "title": "CHỦ TỊCH", "name": ""}


def test_the_form_says_when_the_agency_has_no_signatory(client, h1_request, hong_dan, officer_hong_dan):
    hong_dan.signatories.all().delete()  # the demo gives every agency a head and a deputy
    client.force_login(officer_hong_dan)
    page = client.get(reverse("directives:report_edit", args=[h1_request.pk])).content.decode()
    assert "chưa khai báo người ký văn bản" in page


def test_a_signatory_of_another_agency_is_refused_on_the_form_and_the_text_is_kept(
    client, h1_request, hong_dan, dong_hai, officer_hong_dan, issuing
):
    foreign = Signatory.objects.create(agency=dong_hai, full_name="Người Lạ", title="Chủ tịch", is_head=True)
    client.force_login(officer_hong_dan)
    data = {
        "version": 0,
        "section_0": "Nội dung tôi đã gõ",
        "section_1": "",
        "ind_htx_total": "12",
        "ind_members": "30",
        "ind_boards_trained": "1",
        "signatory": foreign.pk,
        "action": "submit",
    }
    response = client.post(reverse("directives:report_edit", args=[h1_request.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Người ký không thuộc cơ quan ban hành văn bản" in page and "Nội dung tôi đã gõ" in page
    assert not IssuedDocument.objects.exists()
    data["signatory"] = issuing["deputy"].pk
    response = client.post(reverse("directives:report_edit", args=[h1_request.pk]), data)
    assert response.status_code == 302
    assert IssuedDocument.objects.get().signature["name"] == "Trần Thị Bình"


def test_the_report_pdf_is_the_issued_document_once_submitted_and_a_draft_before(
    client, h1_request, hong_dan, officer_hong_dan, alliance_staff, issuing
):
    report = filled_report(h1_request, hong_dan, htx_total=42)
    client.force_login(officer_hong_dan)
    url = reverse("directives:report_pdf", args=[report.pk])
    draft = client.get(url)
    words = flat(pdf_text(draft.content, layout=False))
    assert "DỰ THẢO" in words and "/BC-UBND" in words and "Số: 01" not in words
    assert not any(word in words for word in WORKFLOW_WORDS)

    with committed():
        report = report_transition(report=report, action=A.SUBMIT, by=officer_hong_dan)
    doc = _issued(report).get()
    downloaded = client.get(url)
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert b"".join(downloaded.streaming_content) == doc.pdf.open("rb").read()
    assert client.get(url + "?xem=1")["Content-Disposition"].startswith("inline")

    report_transition(report=report, action=A.RETURN, by=alliance_staff, comment="Sửa lại")
    assert "DỰ THẢO" in flat(pdf_text(client.get(url).content, layout=False))


def test_the_report_page_shows_the_issued_document_and_the_one_it_replaced(
    client, h1_request, hong_dan, officer_hong_dan, alliance_staff, issuing
):
    report = _submitted(h1_request, hong_dan, officer_hong_dan)
    report_transition(report=report, action=A.RETURN, by=alliance_staff, comment="Bổ sung")
    report_transition(report=report, action=A.SUBMIT, by=officer_hong_dan)
    first, second = _issued(report)
    client.force_login(officer_hong_dan)
    page = client.get(report.get_absolute_url()).content.decode()
    assert f"Báo cáo số 02/BC-UBND ngày {second.issued_on:%d/%m/%Y}" in page
    assert "Thay thế: số 01/BC-UBND" in page
    assert f"/bao-cao/van-ban-di/{second.pk}/?xem=1" in page and f"/bao-cao/van-ban-di/{first.pk}/" in page


def test_another_agency_cannot_open_a_unit_s_issued_report(
    client, h1_request, hong_dan, officer_hong_dan, officer_dong_hai, issuing
):
    doc = _issued(_submitted(h1_request, hong_dan, officer_hong_dan)).get()
    client.force_login(officer_dong_hai)
    assert client.get(reverse("directives:issued_file", args=[doc.pk])).status_code == 404
    client.force_login(officer_hong_dan)
    assert client.get(reverse("directives:issued_file", args=[doc.pk])).status_code == 200


# --- the alliance's summary report ----------------------------------------------------------------------------------


def _figures(html: str) -> list[str]:
    return re.findall(r"\d[\d.,]*", re.sub(r"<[^>]+>", " ", html))


def test_the_summary_report_is_issued_by_the_alliance_with_the_summary_page_s_figures(
    client, h1_request, hong_dan, dong_hai, officer_hong_dan, officer_dong_hai, alliance_staff, alliance
):
    for agency, officer, members in ((hong_dan, officer_hong_dan, 1200), (dong_hai, officer_dong_hai, 345)):
        report = report_transition(
            report=filled_report(h1_request, agency, members=members), action=A.SUBMIT, by=officer
        )
        report_transition(report=report, action=A.ACCEPT, by=alliance_staff)
    client.force_login(alliance_staff)
    url = reverse("directives:summary_issue", args=[h1_request.pk])
    form = client.get(url).content.decode()
    assert "UBND tỉnh Bạc Liêu" in form and "Lưu: VT" in form
    data = {
        "token": str(uuid.uuid4()),
        "subject": "Tổng hợp kết quả báo cáo 6 tháng",
        "signatory": alliance.signatories.get().pk,
        "recipients": "UBND tỉnh Bạc Liêu\nLưu: VT",
        "intro": "Thực hiện chỉ đạo của UBND tỉnh.",
        "action": "preview",
    }
    preview = client.post(url, data)
    assert "DỰ THẢO" in flat(pdf_text(preview.content, layout=False))
    assert not IssuedDocument.objects.filter(agency=alliance).exists()
    data["action"] = "issue"
    with committed():
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302  # a double click: the same document
    doc = IssuedDocument.objects.get(agency=alliance)
    assert (doc.agency, doc.kind, doc.reference) == (alliance, "BC", "01/BC-LMHTX")
    words = flat(pdf_text(doc.pdf.read()))
    for expected in ("Số: 01/BC-LMHTX", "UBND tỉnh Bạc Liêu", "1.545", "1.200", "345", "100,0%", "Lê Văn Tâm"):
        assert expected in words, expected
    page = client.get(reverse("directives:province_request", args=[h1_request.pk])).content.decode()
    assert "Báo cáo số 01/BC-LMHTX" in page


def test_the_summary_form_refuses_an_empty_subject_and_keeps_the_text(client, h1_request, alliance_staff, alliance):
    client.force_login(alliance_staff)
    data = {"token": str(uuid.uuid4()), "subject": "  ", "recipients": "UBND tỉnh", "intro": "Đoạn tôi gõ"}
    response = client.post(reverse("directives:summary_issue", args=[h1_request.pk]), {**data, "action": "issue"})
    assert response.status_code == 400
    assert "Hãy nhập trích yếu" in response.content.decode() and "Đoạn tôi gõ" in response.content.decode()
    data = {**data, "subject": "Tổng hợp", "intro": "x" * 20_001, "action": "issue"}
    response = client.post(reverse("directives:summary_issue", args=[h1_request.pk]), data)
    assert response.status_code == 400 and "Nội dung dài quá 20.000 ký tự" in response.content.decode()
    assert not IssuedDocument.objects.exists()


def test_officers_cannot_reach_the_alliance_s_issuing_forms(client, h1_request, officer_hong_dan, fund_officer):
    for user in (officer_hong_dan, fund_officer):
        client.force_login(user)
        for name in ("directives:summary_issue", "directives:reminder_letter"):
            assert client.get(reverse(name, args=[h1_request.pk])).status_code == 404
            assert client.post(reverse(name, args=[h1_request.pk]), {"subject": "x"}).status_code == 404


reports = st.lists(
    st.tuples(
        st.sampled_from(["draft", "submitted", "accepted", "returned"]),
        st.integers(min_value=0, max_value=10**9),
        st.integers(min_value=0, max_value=10**6),
    ),
    min_size=2,
    max_size=2,
)


@pytest.mark.django_db
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=reports)
def test_the_summary_document_s_figures_are_the_summary_page_s(h1_request, hong_dan, dong_hai, rows):
    """Whatever the reports say, the document prints the same figures, in the same order, as the summary."""
    Report.objects.filter(request=h1_request).delete()
    for agency, (state, members, trained) in zip((hong_dan, dong_hai), rows, strict=True):
        report = filled_report(h1_request, agency, members=members, boards_trained=trained)
        Report.objects.filter(pk=report.pk).update(state=state, first_submitted_at=None)
    summary = request_summary(h1_request, on=date(2022, 8, 1))
    body = official.summary_body_html(summary)
    expected = [str(summary.asked), str(summary.submitted), str(summary.on_time)]
    table = [v for _item, per_unit, total in summary.table for v in [*per_unit, total]]
    printed = _figures(body.split("<table>")[1]) if "<table>" in body else []
    # as the summary page prints them (the `number` filter: portal.formatting.group_thousands)
    assert printed == [group_thousands(v) for v in table if v is not None and v != ""]
    for figure in expected:
        assert figure in _figures(body.split("<table>")[0])
    if summary.units:
        accepted = [m for state, m, _t in rows if state == "accepted"]
        assert group_thousands(sum(accepted)) in printed


# --- letters --------------------------------------------------------------------------------------------------------


def test_the_reminder_is_addressed_to_the_agencies_that_have_not_sent_and_reaches_them(
    client, h1_request, hong_dan, dong_hai, officer_hong_dan, officer_dong_hai, alliance_staff, alliance
):
    report_transition(report=filled_report(h1_request, dong_hai), action=A.SUBMIT, by=officer_dong_hai)
    client.force_login(alliance_staff)
    url = reverse("directives:reminder_letter", args=[h1_request.pk])
    form = client.get(url).context["form"]
    assert list(form.initial["addressees"]) == [hong_dan.pk]
    assert form.initial["subject"] == "đôn đốc gửi báo cáo 6 tháng đầu năm 2022"  # the form prints "V/v" before it
    assert "15/07/2022" in form.initial["body"]
    data = {
        "token": str(uuid.uuid4()),
        "addressees": [hong_dan.pk],
        "subject": "V/v " + form.initial["subject"],  # typed with its own "V/v": printed once
        "body": "Đề nghị gửi báo cáo trước ngày 20/7.\n<script>alert(1)</script>",
        "drafting_code": "VP",
        "signatory": alliance.signatories.get().pk,
        "action": "issue",
    }
    with committed():
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302  # the same form twice: one number
    letter = IssuedDocument.objects.get(agency=alliance)
    assert (letter.kind, letter.reference, list(letter.addressed_to.all())) == ("CV", "01/LMHTX-VP", [hong_dan])
    assert "<script" not in letter.body_html
    words = flat(pdf_text(letter.pdf.read()))
    for expected in ("Số: 01/LMHTX-VP", "V/v đôn đốc gửi báo cáo 6 tháng", "Kính gửi", hong_dan.name, "Lê Văn Tâm"):
        assert expected in words, expected
    assert "V/v V/v" not in words
    note = Notification.objects.get(user=officer_hong_dan)
    assert note.link == f"/bao-cao/van-ban-di/{letter.pk}/?xem=1"
    assert not Notification.objects.filter(user=officer_dong_hai).exists()

    client.force_login(officer_hong_dan)
    workspace = client.get(reverse("directives:workspace")).content.decode()
    assert "Công văn đến" in workspace and "Công văn số 01/LMHTX-VP" in workspace
    assert client.get(note.link).status_code == 200
    client.force_login(officer_dong_hai)
    assert client.get(note.link).status_code == 404
    assert "01/LMHTX-VP" not in client.get(reverse("directives:workspace")).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": ""}, "Hãy nhập trích yếu"),
        ({"subject": "V/v "}, "Hãy nhập trích yếu"),
        ({"addressees": []}, "Hãy chọn ít nhất một cơ quan nhận"),
        ({"body": "x" * 20_001}, "Nội dung dài quá 20.000 ký tự"),
        ({"signatory": "SIGNATORY_OF_HONG_DAN"}, "Người ký không thuộc cơ quan ban hành"),
        ({"addressees": ["OUTSIDER"]}, "không thuộc danh sách"),
        ({"drafting_code": "V P"}, "Chỉ dùng chữ cái không dấu"),
    ],
)
def test_a_bad_letter_is_refused_with_a_message_and_the_typed_text_kept(
    client, h1_request, hong_dan, alliance_staff, alliance, issuing, change, message
):
    outsider = Agency.objects.exclude(pk__in=h1_request.agencies.values("pk")).first()
    change = {
        key: {"SIGNATORY_OF_HONG_DAN": issuing["head"].pk}.get(value, value)
        if not isinstance(value, list)
        else [outsider.pk if v == "OUTSIDER" else v for v in value]
        for key, value in change.items()
    }
    client.force_login(alliance_staff)
    data = {
        "token": str(uuid.uuid4()),
        "addressees": [hong_dan.pk],
        "subject": "V/v đôn đốc",
        "body": "Nội dung tôi đã gõ",
        "drafting_code": "VP",
        "action": "issue",
        **change,
    }
    response = client.post(reverse("directives:reminder_letter", args=[h1_request.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "body" not in change:
        assert "Nội dung tôi đã gõ" in page
    assert not IssuedDocument.objects.exists()


def test_a_return_can_send_the_unit_a_letter_with_the_reviewer_s_comment(
    client, h1_request, hong_dan, officer_hong_dan, officer_dong_hai, alliance_staff, alliance, issuing
):
    report = _submitted(h1_request, hong_dan, officer_hong_dan)
    client.force_login(alliance_staff)
    comment = "Số thành viên chưa khớp với sổ đăng ký."
    with committed():
        response = client.post(
            reverse("directives:report_review", args=[report.pk]),
            {"action": "return", "comment": comment, "letter": "on"},
        )
    assert response.status_code == 302
    letter = IssuedDocument.objects.get(kind="CV")
    assert list(letter.addressed_to.all()) == [hong_dan] and letter.reference == "01/LMHTX-VP"
    words = flat(pdf_text(letter.pdf.read()))
    assert comment in words and "Lê Văn Tâm" in words  # the alliance's head signs when nobody was chosen
    assert Notification.objects.filter(user=officer_hong_dan, link__contains=f"/van-ban-di/{letter.pk}/").exists()
    client.force_login(officer_hong_dan)
    assert "Công văn số 01/LMHTX-VP" in client.get(report.get_absolute_url()).content.decode()
    client.force_login(officer_dong_hai)
    assert client.get(reverse("directives:issued_file", args=[letter.pk])).status_code == 404


def test_a_letter_service_refuses_an_officer(h1_request, hong_dan, officer_hong_dan, alliance):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        letter_issue(
            subject="V/v", body="x", addressees=[hong_dan], signatory=None, drafting_code="VP", by=officer_hong_dan
        )


def test_report_submit_from_the_form_service_issues_with_the_chosen_signatory(
    h1_request, hong_dan, officer_hong_dan, issuing
):
    report = report_submit(
        request=h1_request,
        agency=hong_dan,
        expected_version=0,
        narrative={"Kết quả đạt được": "Tốt"},
        values={"htx_total": 1, "members": 2, "boards_trained": 3},
        submit=True,
        by=officer_hong_dan,
        signatory=issuing["deputy"],
    )
    assert report.state == Report.State.SUBMITTED
    assert _issued(report).get().signature["deputy_of"] == "KT. CHỦ TỊCH"
    assert ReportValue.objects.filter(report=report).count() == 3
