"""A report shows its sections in the request's order everywhere, and the review form offers only what is valid now."""

import io

import pytest
from django.test import TestCase
from pypdf import PdfReader

from directives.forms import ReviewForm
from directives.models import Report
from directives.services import report_transition

from .factories import filled_report, report_request

# Request order; PostgreSQL's jsonb stores the shorter key first and alphabetical order puts "Ba" first too.
SECTIONS = ["Zalo và mạng xã hội: kết quả tuyên truyền trong kỳ", "Ba", "Kiến nghị"]


def _submitted(client, officer, agency):
    request = report_request([agency], sections="\n".join(SECTIONS), indicator_codes=["htx_total"])
    client.force_login(officer)
    url = f"/bao-cao/yeu-cau/{request.pk}/"
    data = {"version": 0, "action": "save", "ind_htx_total": "3"}
    data.update({f"section_{i}": f"Nội dung phần {heading}" for i, heading in enumerate(SECTIONS)})
    assert client.post(url, data).status_code == 302
    report = Report.objects.get(request=request)
    data.update(version=report.version, action="submit")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker renders the issued PDF once it commits
        assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    return report


def _positions(text: str, numerals=("1", "2", "3")) -> list[int]:
    return [text.index(f"{n}. {heading}") for n, heading in zip(numerals, SECTIONS, strict=True)]


def test_a_submitted_report_keeps_the_requests_section_order_on_its_page_and_pdf(client, officer_hong_dan, hong_dan):
    report = _submitted(client, officer_hong_dan, hong_dan)
    assert [heading for heading, _ in Report.objects.get(pk=report.pk).narrative_sections()] == SECTIONS

    page = client.get(f"/bao-cao/so/{report.pk}/").content.decode()
    assert _positions(page) == sorted(_positions(page))

    response = client.get(f"/bao-cao/so/{report.pk}/pdf/")  # the issued document, a stored file
    data = b"".join(response.streaming_content)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert _positions(text, ("I", "II", "III")) == sorted(_positions(text, ("I", "II", "III")))  # the form's headings


def test_a_heading_dropped_from_the_request_still_shows_after_the_requests_own(hong_dan):
    request = report_request([hong_dan], sections="Ba\nAn")
    report = filled_report(request, hong_dan)
    report.narrative = {"Cũ": "giữ lại", "An": "a", "Ba": "b"}
    report.save()
    report.refresh_from_db()
    assert report.narrative_sections() == [("Ba", "b"), ("An", "a"), ("Cũ", "giữ lại")]


@pytest.mark.parametrize(
    ("steps", "offered"),
    [
        ([], []),
        (["submit"], ["accept", "return"]),
        (["submit", "accept"], ["reopen"]),
        (["submit", "return"], []),
        (["submit", "accept", "reopen"], []),
        (["submit", "return", "submit"], ["accept", "return"]),
    ],
)
def test_the_review_form_offers_exactly_the_valid_transitions_with_none_chosen(
    client, alliance_staff, officer_hong_dan, hong_dan, steps, offered
):
    report = filled_report(report_request([hong_dan]), hong_dan)
    for action in steps:
        by = officer_hong_dan if action == "submit" else alliance_staff
        report = report_transition(report=report, action=action, by=by, comment="Đề nghị bổ sung số liệu.")
    form = ReviewForm(report=report)
    assert [value for value, _ in form.fields["action"].choices] == offered
    assert form["action"].value() is None and form.fields["action"].required

    client.force_login(alliance_staff)
    page = client.get(f"/bao-cao/so/{report.pk}/").content.decode()
    assert ("review-box" in page) == bool(offered)
    if offered:
        box = page.split("review-box", 1)[1].split("</form>", 1)[0]
        assert box.count('type="radio"') == len(offered) and "checked" not in box


def test_a_review_without_a_chosen_action_is_refused_in_vietnamese(client, alliance_staff, officer_hong_dan, hong_dan):
    report = filled_report(report_request([hong_dan]), hong_dan)
    report_transition(report=report, action="submit", by=officer_hong_dan)
    client.force_login(alliance_staff)
    response = client.post(f"/bao-cao/so/{report.pk}/duyet/", {"comment": "Đã xem."})
    assert response.status_code == 400 and "Hãy chọn thao tác." in response.content.decode()
    response = client.post(f"/bao-cao/so/{report.pk}/duyet/", {"action": "reopen", "comment": "Mở lại."})
    assert response.status_code == 400 and "Thao tác này không hợp lệ lúc này." in response.content.decode()
    assert Report.objects.get(pk=report.pk).state == Report.State.SUBMITTED
