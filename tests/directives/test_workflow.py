import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from directives.models import Report, ReportTransition
from directives.services import EditConflict, report_save, report_submit, report_transition

from .factories import filled_report

A = Report.Action
ST = Report.State

ALLOWED = [
    (ST.DRAFT, A.SUBMIT, ST.SUBMITTED),
    (ST.RETURNED, A.SUBMIT, ST.SUBMITTED),
    (ST.SUBMITTED, A.ACCEPT, ST.ACCEPTED),
    (ST.SUBMITTED, A.RETURN, ST.RETURNED),
    (ST.ACCEPTED, A.REOPEN, ST.RETURNED),
]
FORBIDDEN = [(state, action) for state in ST for action in A if (state, action) not in {(s, a) for s, a, _ in ALLOWED}]


def _actor(action, officer, staff):
    return officer if action == A.SUBMIT else staff


@pytest.mark.parametrize(("state", "action", "new_state"), ALLOWED)
def test_each_allowed_transition_moves_the_report_and_is_logged(
    h1_request, hong_dan, officer_hong_dan, alliance_staff, state, action, new_state
):
    report = filled_report(h1_request, hong_dan)
    Report.objects.filter(pk=report.pk).update(state=state)
    by = _actor(action, officer_hong_dan, alliance_staff)
    report = report_transition(report=report, action=action, by=by, comment="Ý kiến")
    assert report.state == new_state
    log = ReportTransition.objects.get(report=report)
    assert (log.from_state, log.to_state, log.by, log.comment) == (state, new_state, by, "Ý kiến")


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_each_forbidden_transition_is_refused_and_leaves_no_trace(
    h1_request, hong_dan, officer_hong_dan, alliance_staff, state, action
):
    report = filled_report(h1_request, hong_dan)
    Report.objects.filter(pk=report.pk).update(state=state)
    with pytest.raises(ValidationError) as caught:
        report_transition(
            report=report, action=action, by=_actor(action, officer_hong_dan, alliance_staff), comment="x"
        )
    assert "Không thể" in caught.value.messages[0]
    assert Report.objects.get(pk=report.pk).state == state
    assert not ReportTransition.objects.exists()


def test_an_officer_cannot_accept_or_return_a_report(h1_request, hong_dan, officer_hong_dan):
    report = report_transition(report=filled_report(h1_request, hong_dan), action=A.SUBMIT, by=officer_hong_dan)
    for action in (A.ACCEPT, A.RETURN):
        with pytest.raises(PermissionDenied):
            report_transition(report=report, action=action, by=officer_hong_dan, comment="tự duyệt")


def test_an_officer_of_another_district_cannot_submit_the_report(h1_request, hong_dan, officer_dong_hai):
    with pytest.raises(PermissionDenied):
        report_transition(report=filled_report(h1_request, hong_dan), action=A.SUBMIT, by=officer_dong_hai)


def test_a_fund_officer_sees_the_province_but_cannot_review(h1_request, hong_dan, officer_hong_dan, fund_officer):
    report = report_transition(report=filled_report(h1_request, hong_dan), action=A.SUBMIT, by=officer_hong_dan)
    with pytest.raises(PermissionDenied):
        report_transition(report=report, action=A.ACCEPT, by=fund_officer)


def test_returning_needs_a_comment(h1_request, hong_dan, officer_hong_dan, alliance_staff):
    report = report_transition(report=filled_report(h1_request, hong_dan), action=A.SUBMIT, by=officer_hong_dan)
    with pytest.raises(ValidationError):
        report_transition(report=report, action=A.RETURN, by=alliance_staff, comment="   ")
    returned = report_transition(report=report, action=A.RETURN, by=alliance_staff, comment="Bổ sung số liệu")
    assert returned.last_comment == "Bổ sung số liệu"


def test_a_report_cannot_be_submitted_with_an_unconfirmed_indicator(h1_request, hong_dan, officer_hong_dan):
    report = filled_report(h1_request, hong_dan)
    report.values.filter(code="boards_trained").update(value=None)
    with pytest.raises(ValidationError):
        report_transition(report=report, action=A.SUBMIT, by=officer_hong_dan)


def test_submitted_and_accepted_reports_cannot_be_edited(h1_request, hong_dan, officer_hong_dan, alliance_staff):
    report = report_transition(report=filled_report(h1_request, hong_dan), action=A.SUBMIT, by=officer_hong_dan)
    with pytest.raises(ValidationError):
        report_save(report=report, expected_version=report.version, narrative={}, values={}, by=officer_hong_dan)
    report = report_transition(report=report, action=A.ACCEPT, by=alliance_staff)
    with pytest.raises(ValidationError):
        report_save(report=report, expected_version=report.version, narrative={}, values={}, by=officer_hong_dan)


def test_the_second_of_two_concurrent_saves_is_refused(h1_request, hong_dan, officer_hong_dan):
    report = filled_report(h1_request, hong_dan)
    opened = report.version
    report_save(
        report=report, expected_version=opened, narrative={"Kết quả đạt được": "A"}, values={}, by=officer_hong_dan
    )
    with pytest.raises(EditConflict):
        report_save(
            report=report, expected_version=opened, narrative={"Kết quả đạt được": "B"}, values={}, by=officer_hong_dan
        )
    assert Report.objects.get(pk=report.pk).narrative == {"Kết quả đạt được": "A"}


def test_a_form_opened_before_a_colleague_started_the_report_is_refused_not_saved_over_it(
    h1_request, hong_dan, officer_hong_dan
):
    form = {"request": h1_request, "agency": hong_dan, "values": {}, "by": officer_hong_dan}
    report_submit(**form, expected_version=0, narrative={"Kết quả đạt được": "A"}, submit=False)
    with pytest.raises(EditConflict):
        report_submit(**form, expected_version=0, narrative={"Kết quả đạt được": "B"}, submit=True)
    report = Report.objects.get(request=h1_request, agency=hong_dan)
    assert (report.narrative, report.state) == ({"Kết quả đạt được": "A"}, Report.State.DRAFT)


def test_submitting_the_form_saves_the_draft_and_sends_it_in_one_call(h1_request, hong_dan, officer_hong_dan):
    report = report_submit(
        request=h1_request,
        agency=hong_dan,
        expected_version=0,
        narrative={"Kết quả đạt được": "Đã tổ chức 3 đại hội"},
        values={code: 1 for code in h1_request.indicator_codes},
        submit=True,
        by=officer_hong_dan,
    )
    assert report.state == Report.State.SUBMITTED
    assert report.narrative == {"Kết quả đạt được": "Đã tổ chức 3 đại hội"}
