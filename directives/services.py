"""Rules that span models: assigning tasks, the report workflow, optimistic locking, reminders.

Keyword-only functions, each in one transaction, recording who acted. Legal/organisational sources are on the
models (directives.models); the report workflow is DHIS2's (submit, accept or return with a comment, lock).
"""

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

import cooperatives.selectors as cooperative_selectors
import fund.selectors as fund_selectors
from portal import roles
from portal.access import user_scope
from portal.agencychanges import Moved
from portal.contentcache import bump_on_commit
from portal.models import Agency, IssuedDocument, Signatory, User
from portal.notify import mail_on_commit, notify
from portal.official import document_issue, issued_for
from portal.signatures import SIGNED_STATES, signature_check
from portal.text import normalise_multiline
from portal.unitmap import unit_and_merged_ids
from portal.verify import VerificationReport, verify_pdf

from . import official, selectors
from .indicators import prefill_values
from .models import (
    DocumentFile,
    Reminder,
    Report,
    ReportDraft,
    ReportFile,
    ReportRequest,
    ReportTransition,
    ReportValue,
    Task,
    TaskAssignment,
    due_soon_window,
)

CONFLICT_MESSAGE = (
    "Báo cáo đã được người khác lưu trong lúc bạn đang sửa. Nội dung bạn nhập vẫn được giữ bên dưới: hãy mở báo cáo "
    "trong thẻ khác để xem bản mới nhất, đối chiếu rồi lưu lại."
)


class EditConflict(Exception):
    """The report changed since the user opened it (optimistic locking)."""


def is_reviewer(user) -> bool:
    """Province staff who accept or return reports: province-wide scope and the right to manage report requests."""
    return user_scope(user).everything and user.has_perm("directives.change_reportrequest")


def may_edit_for(user, agency_id) -> bool:
    """Officers write their own agency's reports; a superuser may too (support)."""
    return user.is_authenticated and (user.is_superuser or user.agency_id == agency_id)


# --- tasks ------------------------------------------------------------------------------------------------------


@transaction.atomic
def task_assign(*, task: Task, agencies, role: str = TaskAssignment.Role.SUPPORT) -> int:
    """Give `task` to each agency (idempotent: an agency already assigned keeps its assignment). Returns new count."""
    existing = set(task.assignments.values_list("agency_id", flat=True))
    new = [TaskAssignment(task=task, agency=agency, role=role) for agency in agencies if agency.pk not in existing]
    TaskAssignment.objects.bulk_create(new)
    if task.lead_agency_id:
        TaskAssignment.objects.get_or_create(task=task, agency_id=task.lead_agency_id, defaults={"role": "lead"})
        task.assignments.filter(agency_id=task.lead_agency_id).update(role=TaskAssignment.Role.LEAD)
    return len(new)


def task_assign_all_districts(*, task: Task) -> int:
    """One step: every active district People's Committee supports the task."""
    agencies = Agency.objects.filter(kind=Agency.Kind.DISTRICT_PC, is_active=True)
    return task_assign(task=task, agencies=agencies)


def assignment_has_tied_request(assignment: TaskAssignment) -> bool:
    """The unit was asked for a report on this task: its accepted report, not a typed date, completes the task."""
    return ReportRequest.objects.filter(task_id=assignment.task_id, agencies=assignment.agency_id).exists()


@transaction.atomic
def assignment_update_progress(*, assignment: TaskAssignment, completed_on: date | None, note: str, by) -> None:
    """Progress typed by hand. Where a report request is tied to the task, the unit's accepted report sets the
    completion (assignment_sync_reports); staff may still complete it by hand, but not undo what a report did:
    that is done by reopening the report."""
    reviewer = is_reviewer(by)
    if not may_edit_for(by, assignment.agency_id) and not reviewer:
        raise PermissionDenied
    if completed_on and completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "Ngày hoàn thành không được ở tương lai."})
    if completed_on != assignment.completed_on and assignment_has_tied_request(assignment):
        if not reviewer:
            raise ValidationError(
                {"completed_on": "Nhiệm vụ này hoàn thành khi báo cáo của đơn vị được Liên minh HTX tỉnh chấp nhận."}
            )
        if completed_on is None and assignment.completed_by_report_id:
            raise ValidationError(
                {"completed_on": "Nhiệm vụ hoàn thành theo báo cáo đã được chấp nhận: muốn mở lại, hãy mở lại báo cáo."}
            )
    before = assignment.status()
    if completed_on != assignment.completed_on:
        assignment.completed_by_report = None  # a date typed by hand is a manual completion
    assignment.completed_on = completed_on
    assignment.progress_note = note
    if assignment.status() != before:
        assignment.status_changed_on = timezone.localdate()
    assignment.save()
    if completed_on is None:
        assignment_sync_reports(assignment=assignment)


def _accepted_on(report: Report) -> date:
    """The day the report was (last) accepted."""
    accepted = report.transitions.filter(action=Report.Action.ACCEPT).order_by("-at", "-pk").first()
    return timezone.localdate(accepted.at) if accepted else timezone.localdate()


def _progress_figure(report: Report) -> int | None:
    code = report.request.progress_code
    if not code:
        return None
    value = report.values.filter(code=code).values_list("value", flat=True).first()
    return None if value is None else min(int(value), 100)


@transaction.atomic
def assignment_sync_reports(*, assignment: TaskAssignment) -> TaskAssignment:
    """Make the assignment say what the unit's accepted reports on its task say.

    An accepted report of a request tied to the task is the evidence: the assignment is done on the day it was
    accepted, or, where the request asks for a progress figure (ReportRequest.progress_code), its progress is the
    figure of the latest accepted report and it is done when an accepted report says 100%. When no accepted report
    completes it any more (returned, reopened), a completion that came from a report is cleared and the assignment
    is reminded again. A completion typed by staff is theirs and stays."""
    assignment = TaskAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
    reports = (
        Report.objects.filter(
            request__task_id=assignment.task_id, agency_id=assignment.agency_id, state=Report.State.ACCEPTED
        )
        .select_related("request")
        .order_by("pk")
    )
    accepted = sorted(((_accepted_on(r), r.pk, r) for r in reports), key=lambda row: row[:2])
    figures = [(day, figure) for day, _, r in accepted if (figure := _progress_figure(r)) is not None]
    completing = [(day, r) for day, _, r in accepted if not r.request.progress_code or _progress_figure(r) == 100]
    before = assignment.status()
    reason = ""
    assignment.progress_percent = figures[-1][1] if figures else None
    manual = assignment.completed_on is not None and assignment.completed_by_report_id is None
    if manual:
        pass
    elif completing:
        day, report = completing[0]
        assignment.completed_on = day
        assignment.completed_by_report = report
        # The history keeps 100 characters: the report's number, not its title (the page shows the title).
        reason = f"Hoàn thành theo báo cáo số {report.pk} được chấp nhận ngày {day:%d/%m/%Y}"
    elif assignment.completed_by_report_id:
        assignment.completed_on = None
        assignment.completed_by_report = None
        assignment.reopened_on = timezone.localdate()
        reason = "Mở lại: báo cáo hoàn thành nhiệm vụ đã bị trả lại"
    if assignment.status() != before:
        # The day of the event: the acceptance that completed it, or today when it is reopened.
        assignment.status_changed_on = assignment.completed_on or timezone.localdate()
    assignment._change_reason = reason or "Cập nhật theo báo cáo"
    assignment.save()
    return assignment


@transaction.atomic
def assignment_extend(*, assignment: TaskAssignment, until: date, reason: str, by) -> None:
    """Staff grant an extension; the reason is required (and a database constraint says so too)."""
    if not is_reviewer(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"extension_reason": "Gia hạn phải ghi lý do."})
    if assignment.task.deadline and until <= assignment.task.deadline:
        raise ValidationError({"extended_deadline": "Ngày gia hạn phải sau thời hạn ban đầu."})
    before = assignment.status()
    assignment.extended_deadline = until
    assignment.extension_reason = reason.strip()
    if assignment.status() != before:
        assignment.status_changed_on = timezone.localdate()
    assignment.save()


# --- reports ----------------------------------------------------------------------------------------------------


def report_get_or_create(*, request: ReportRequest, agency: Agency) -> Report:
    """The agency's report for `request`, created as a draft with indicators pre-filled from the registry."""
    report = Report.objects.filter(request=request, agency=agency).first()
    if report:
        return report
    values = prefill_values(
        request.indicator_codes,
        unit_ids=unit_and_merged_ids(agency.unit),
        period_start=request.period_start,
        period_end=request.period_end,
    )
    try:
        with transaction.atomic():
            report = Report.objects.create(request=request, agency=agency)
            bulk_create_with_history(
                [ReportValue(report=report, code=code, value=None, prefilled=value) for code, value in values.items()],
                ReportValue,
            )
    except IntegrityError:  # created by a colleague a moment ago
        report = Report.objects.get(request=request, agency=agency)
    return report


@transaction.atomic
def report_save(*, report: Report, expected_version: int, narrative: dict, values: dict, by) -> Report:
    """Save a draft or returned report, refusing it when someone saved since `expected_version` was read."""
    if not may_edit_for(by, report.agency_id):
        raise PermissionDenied
    if not report.is_editable:
        raise ValidationError("Báo cáo đã gửi hoặc đã được chấp nhận nên không sửa được.")
    # The row lock makes the version check and the write one step; save() (not update()) so history records who.
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.version != expected_version or not locked.is_editable:
        raise EditConflict(CONFLICT_MESSAGE)
    locked.version += 1
    locked.narrative = narrative
    locked.updated_by = by
    locked.save()
    # What was typed is now the report itself: the autosaved draft has done its work.
    ReportDraft.objects.filter(request_id=locked.request_id, agency_id=locked.agency_id).delete()
    for code, value in values.items():
        ReportValue.objects.update_or_create(report=locked, code=code, defaults={"value": value})
    report.refresh_from_db()
    return report


def report_submit(
    *,
    request: ReportRequest,
    agency: Agency,
    expected_version: int,
    narrative: dict,
    values: dict,
    attachment=None,
    submit: bool,
    by,
    signatory: Signatory | None = None,
) -> Report:
    """What an officer's report form sends: the draft saved (refused when someone saved since the form was read),
    an attached file, and, when `submit`, the report sent to the alliance.

    `expected_version` is the version the form was read at; 0 means the form was opened before any report existed,
    so a report that exists by now was started by a colleague meanwhile: an edit conflict, not an overwrite."""
    existing = Report.objects.filter(request=request, agency=agency).exists()
    if existing and expected_version == 0:
        raise EditConflict(CONFLICT_MESSAGE)
    report = report_get_or_create(request=request, agency=agency)
    report = report_save(
        report=report,
        expected_version=expected_version if existing else report.version,
        narrative=narrative,
        values=values,
        by=by,
    )
    if attachment:
        report_attach(report=report, upload=attachment, by=by)
    if submit:
        report = report_transition(report=report, action="submit", by=by, signatory=signatory)
    return report


# --- autosaved drafts ---------------------------------------------------------------------------------------------

DRAFT_MAX_CHARS = 200_000  # all sections together; a long report is some 30,000 characters

DRAFT_LOCKED_MESSAGE = (
    "Báo cáo đã được gửi hoặc đã được chấp nhận nên bản nháp không được lưu. Nội dung bạn đang gõ vẫn còn trên trang: "
    "hãy sao chép lại nếu cần, rồi tải lại trang để xem báo cáo đã gửi."
)
DRAFT_STALE_MESSAGE = (
    "Báo cáo vừa được lưu hoặc gửi ở nơi khác nên bản nháp này không được lưu. Nội dung bạn đang gõ vẫn còn trên "
    "trang: hãy sao chép lại, tải lại trang để xem bản mới nhất rồi đối chiếu."
)


class DraftConflict(Exception):
    """An autosave that would overwrite something newer: `current` is the draft version now stored (None when the
    report itself moved on), so the writer may choose to overwrite the draft knowingly."""

    def __init__(self, message: str, *, current: "ReportDraft | None" = None):
        super().__init__(message)
        self.current = current


def draft_conflict_message(draft: ReportDraft) -> str:
    saved_at = timezone.localtime(draft.saved_at)
    who = draft.saved_by.get_full_name() or draft.saved_by.username if draft.saved_by else "một cán bộ khác"
    return (
        f"Bản nháp vừa được lưu từ một thẻ hoặc máy khác lúc {saved_at:%H:%M} ({who}), nên nội dung ở đây chưa "
        "được lưu. Nội dung bạn đang gõ vẫn còn trên trang: hãy tải lại trang để xem bản nháp kia, hoặc bấm "
        "“Vẫn lưu nội dung của tôi” để thay nó."
    )


def report_draft_for(*, request: ReportRequest, agency: Agency) -> ReportDraft | None:
    return ReportDraft.objects.filter(request=request, agency=agency).select_related("saved_by").first()


def draft_applies(draft: ReportDraft | None, report: Report | None) -> bool:
    """Whether the form shows the draft: it was typed over the report as it stands and the report is still open."""
    if draft is None or (report is not None and not report.is_editable):
        return False
    return draft.base_version == (report.version if report else 0)


def _draft_data(request: ReportRequest, data) -> dict[str, str]:
    """Only the form's own fields, as typed; a refusal (not a truncation) when it is too long to be a report."""
    names = [f"section_{i}" for i in range(len(request.section_list))]
    names += [f"ind_{item.code}" for item in request.indicators()]
    # Control characters dropped as every form of ours drops them (PostgreSQL's jsonb refuses NUL outright).
    kept = {name: normalise_multiline(data.get(name)) for name in names if name in data}
    if sum(len(value) for value in kept.values()) > DRAFT_MAX_CHARS:
        raise ValidationError(
            f"Nội dung dài quá {DRAFT_MAX_CHARS:,} ký tự nên bản nháp không được lưu.".replace(",", ".")
        )
    return kept


@transaction.atomic
def report_draft_save(
    *, request: ReportRequest, agency: Agency, data, report_version: int, draft_version: int, by
) -> ReportDraft:
    """Autosave what an officer is typing, without touching the report.

    Refused (DraftConflict) when the report is no longer editable, when it was saved or moved since the form was
    opened at `report_version`, or when the draft was saved since the writer last saw it at `draft_version`
    (0: the writer saw none). The report row is locked first, so a submission and an autosave never interleave."""
    if not may_edit_for(by, agency.pk):
        raise PermissionDenied
    kept = _draft_data(request, data)
    report = Report.objects.select_for_update().filter(request=request, agency=agency).first()
    if report is not None and not report.is_editable:
        raise DraftConflict(DRAFT_LOCKED_MESSAGE)
    if (report.version if report else 0) != report_version:
        raise DraftConflict(DRAFT_STALE_MESSAGE)
    now = timezone.now()
    fields = {"data": kept, "base_version": report_version, "saved_at": now, "saved_by": by}
    if draft_version == 0:
        try:
            with transaction.atomic():
                return ReportDraft.objects.create(request=request, agency=agency, version=1, **fields)
        except IntegrityError:
            pass  # a colleague's autosave came first
    else:
        # One conditional UPDATE: the version check and the write are one step on SQLite and PostgreSQL alike.
        updated = ReportDraft.objects.filter(request=request, agency=agency, version=draft_version).update(
            version=F("version") + 1, **fields
        )
        if updated:
            return ReportDraft.objects.get(request=request, agency=agency)
    current = ReportDraft.objects.filter(request=request, agency=agency).select_related("saved_by").first()
    if current is None:  # deleted by a save of the report meanwhile
        raise DraftConflict(DRAFT_STALE_MESSAGE)
    raise DraftConflict(draft_conflict_message(current), current=current)


@transaction.atomic
def report_transition(
    *, report: Report, action: str, by, comment: str = "", signatory: Signatory | None = None
) -> Report:
    """Move the report along its workflow and record who did it, when, and why. Submitting issues the report as a
    document of the unit (report_issue), in the same transaction: no submission without its number, and no number
    taken by a submission that failed."""
    action = Report.Action(action)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if action in Report.OFFICER_ACTIONS and not may_edit_for(by, report.agency_id):
        raise PermissionDenied
    if action in Report.REVIEWER_ACTIONS and not is_reviewer(by):
        raise PermissionDenied
    if not report.can(action):
        raise ValidationError(
            f"Không thể “{action.label.lower()}” khi báo cáo đang ở trạng thái “{report.get_state_display().lower()}”."
        )
    comment = comment.strip()
    if action in Report.COMMENT_REQUIRED and not comment:
        raise ValidationError("Hãy ghi ý kiến để đơn vị biết cần sửa gì.")
    if action == Report.Action.SUBMIT:
        missing = [v.code for v in report.values.all() if v.value is None]
        if missing:
            raise ValidationError("Hãy xác nhận hoặc nhập đủ các chỉ tiêu trước khi gửi.")
    now = timezone.now()
    old = report.state
    report.state = Report.TRANSITIONS[(old, action)]
    report.version += 1  # the row is locked above: no lost update, and history stores a number, not F()
    if action == Report.Action.SUBMIT:
        report.submitted_at = now
        report.first_submitted_at = report.first_submitted_at or now
    if comment:
        report.last_comment = comment
    report.updated_by = by
    report.save()
    ReportTransition.objects.create(
        report=report, action=action, from_state=old, to_state=report.state, by=by, at=now, comment=comment
    )
    if Report.State.ACCEPTED in (old, report.state):
        _sync_tied_assignment(report)
    if action == Report.Action.SUBMIT:
        report_issue(report=report, signatory=signatory, by=by)
    report.refresh_from_db()
    return report


def _check_signatory(agency: Agency, signatory: Signatory | None) -> Signatory | None:
    if signatory is not None and (signatory.agency_id != agency.pk or not signatory.is_active):
        raise ValidationError("Người ký không thuộc cơ quan ban hành văn bản.")
    return signatory


def report_issue(*, report: Report, signatory: Signatory | None, by) -> IssuedDocument:
    """The submitted report as a document of its unit (kind BC, the unit's register). Submitted again after a
    return, it is issued again with a new number and replaces the document issued before; the register keeps both.
    Without a chosen signatory the unit's head signs (official.default_signatory)."""
    signatory = _check_signatory(report.agency, signatory) or official.default_signatory(report.agency)
    report = Report.objects.select_related("request", "agency__unit").get(pk=report.pk)
    previous = issued_for(report)
    return document_issue(draft=official.report_draft(report, signatory), by=by, source=report, replaces=previous)


def reports_issue_missing() -> int:
    """Issue the reports that reached the alliance without a document (sent before the portal issued them, or written
    by a loader): in the order they were first sent, each dated the day it was first sent, by who sent it, signed by
    its unit's head. Returns how many were issued; running it again issues none."""
    issued = IssuedDocument.objects.filter(source_type__app_label="directives", source_type__model="report")
    waiting = (
        Report.objects.filter(first_submitted_at__isnull=False)
        .exclude(pk__in=issued.values("source_id"))
        .select_related("request", "agency__unit", "updated_by")
        .order_by("first_submitted_at", "pk")
    )
    count = 0
    for report in waiting:
        sent = report.transitions.filter(action=Report.Action.SUBMIT).order_by("at", "pk").select_related("by").first()
        by = sent.by if sent else report.updated_by
        if by is None:
            continue
        draft = official.report_draft(report, official.default_signatory(report.agency))
        draft.issued_on = timezone.localdate(report.first_submitted_at)
        document_issue(draft=draft, by=by, source=report)
        count += 1
    return count


def report_documents(report: Report) -> list[IssuedDocument]:
    """The documents issued for a report, the latest first."""
    return list(
        IssuedDocument.objects.filter(
            source_type__app_label="directives", source_type__model="report", source_id=report.pk
        ).order_by("-issued_at", "-pk")
    )


def _sync_tied_assignment(report: Report) -> None:
    """Accepting a report tied to a task completes the unit's assignment; returning it reopens it."""
    task_id = ReportRequest.objects.filter(pk=report.request_id).values_list("task_id", flat=True).first()
    if task_id is None:
        return
    assignment = TaskAssignment.objects.filter(task_id=task_id, agency_id=report.agency_id).first()
    if assignment is not None:
        assignment_sync_reports(assignment=assignment)


@transaction.atomic
def report_attach(*, report: Report, upload, by) -> ReportFile:
    """Attach a file (already validated by the form) to an editable report."""
    if not may_edit_for(by, report.agency_id):
        raise PermissionDenied
    if not report.is_editable:
        raise ValidationError("Báo cáo đã gửi nên không thêm tệp được.")
    # The name people see and the size come from the upload (portal.storage.PrivateFile).
    return ReportFile.objects.create(report=report, file=upload, uploaded_by=by)


@transaction.atomic
def report_remove_file(*, report_file: ReportFile, by) -> None:
    if not may_edit_for(by, report_file.report.agency_id) or not report_file.report.is_editable:
        raise PermissionDenied
    report_file.file.delete(save=False)
    report_file.delete()


# --- reminders --------------------------------------------------------------------------------------------------


def agency_recipients(agency: Agency) -> list[str]:
    """Where an agency's mail goes: its own address; when it has none, its active officers' addresses."""
    if agency.email:
        return [agency.email]
    return sorted(set(agency.officers.filter(is_active=True).exclude(email="").values_list("email", flat=True)))


def _remind(*, agency: Agency, key: str, subject: str, template: str, context: dict, link: str) -> bool:
    """Record and send one reminder; a second call for the same stage does nothing (unique constraint).

    `template` names a pair, `<template>.txt` and `<template>.html`; `link` is a path (stored as is), the mail
    carries it as a full link on the configured site. The agency's active officers find it in their inbox too."""
    context = {**context, "agency": agency, "link": link}
    body = render_to_string(f"{template}.txt", context)
    try:
        with transaction.atomic():
            Reminder.objects.create(agency=agency, key=key, subject=subject, body=body, link=link)
    except IntegrityError:
        return False
    notify(agency.officers.filter(is_active=True), title=subject, body=body, link=link)
    mail_on_commit(subject=subject, template=template, context=context, recipients=agency_recipients(agency))
    return True


def reminders_send(*, on: date) -> int:
    """Before a deadline (PORTAL_REMINDER_DAYS_BEFORE days) and once overdue: one reminder per stage per agency."""
    sent = 0
    soon = due_soon_window(on)
    requests = ReportRequest.objects.filter(deadline__lte=soon).prefetch_related("agencies")
    done = set(
        Report.objects.filter(request__in=requests)
        .exclude(state__in=[Report.State.DRAFT, Report.State.RETURNED])
        .values_list("request_id", "agency_id")
    )
    # A report sent back for correction is reminded like one never sent, once per return (its own stage).
    returns = {}
    for request_id, agency_id, transition_id, comment in (
        ReportTransition.objects.filter(
            report__request__in=requests, report__state=Report.State.RETURNED, action=Report.Action.RETURN
        )
        .order_by("at", "pk")
        .values_list("report__request_id", "report__agency_id", "pk", "comment")
    ):
        returns[(request_id, agency_id)] = (transition_id, comment)
    for request in requests:
        stage = "overdue" if request.deadline < on else "before"
        for agency in request.agencies.all():
            if (request.pk, agency.pk) in done:
                continue
            returned = returns.get((request.pk, agency.pk))
            if returned:
                transition_id, comment = returned
                key = f"request:{request.pk}:returned:{transition_id}"
                subject = f"Báo cáo bị trả lại, cần nộp lại: {request.title}"
            else:
                comment = ""
                key = f"request:{request.pk}:{stage}"
                subject = (
                    f"Quá hạn nộp báo cáo: {request.title}"
                    if stage == "overdue"
                    else f"Sắp đến hạn nộp: {request.title}"
                )
            sent += _remind(
                agency=agency,
                key=key,
                subject=subject,
                template="emails/directives/reminder",
                context={
                    "stage": stage,
                    "returned": bool(returned),
                    "comment": comment,
                    "item_title": request.title,
                    "deadline": request.deadline,
                },
                link=f"/bao-cao/yeu-cau/{request.pk}/",
            )
    assignments = TaskAssignment.objects.filter(completed_on__isnull=True).select_related("task__document", "agency")
    for assignment in assignments:
        due = assignment.due_date
        if due is None or due > soon:
            continue
        stage = "overdue" if due < on else "before"
        title = f"{assignment.task.document.number}, nhiệm vụ {assignment.task.order}"
        sent += _remind(
            agency=assignment.agency,
            key=f"task:{assignment.pk}:{stage}:{due.isoformat()}"
            + (f":mo-lai-{assignment.reopened_on.isoformat()}" if assignment.reopened_on else ""),
            subject=f"Quá hạn nhiệm vụ: {title}" if stage == "overdue" else f"Sắp đến hạn nhiệm vụ: {title}",
            template="emails/directives/reminder",
            context={"stage": stage, "item_title": title, "deadline": due},
            link=assignment.get_absolute_url(),
        )
    return sent


def open_items(agency_ids) -> dict[int, list[dict]]:
    """Each agency's open report requests and unfinished tasks, oldest deadline first."""
    items: dict[int, list[dict]] = {}
    closed = set(
        Report.objects.filter(agency_id__in=agency_ids)
        .exclude(state__in=Report.EDITABLE_STATES)
        .values_list("request_id", "agency_id")
    )
    through = ReportRequest.agencies.through.objects.filter(agency_id__in=agency_ids).select_related("reportrequest")
    for row in through:
        request = row.reportrequest
        if (request.pk, row.agency_id) in closed:
            continue
        items.setdefault(row.agency_id, []).append(
            {"title": request.title, "deadline": request.deadline, "link": f"/bao-cao/yeu-cau/{request.pk}/"}
        )
    assignments = TaskAssignment.objects.filter(agency_id__in=agency_ids, completed_on__isnull=True).select_related(
        "task__document"
    )
    for a in assignments:
        items.setdefault(a.agency_id, []).append(
            {
                "title": f"{a.task.document.number}, nhiệm vụ {a.task.order}",
                "deadline": a.due_date,
                "link": a.get_absolute_url(),
            }
        )
    for rows in items.values():
        rows.sort(key=lambda item: (item["deadline"] is None, item["deadline"] or date.max, item["title"]))
    return items


def digests_send(*, on: date) -> int:
    """The weekly digest: one per agency per ISO week, listing its open items oldest first."""
    year, week, _ = on.isocalendar()
    agencies = {a.pk: a for a in Agency.objects.filter(is_active=True)}
    sent = 0
    for agency_id, rows in open_items(list(agencies)).items():
        sent += _remind(
            agency=agencies[agency_id],
            key=f"digest:{year}-W{week:02d}",
            subject=f"Tổng hợp việc cần làm tuần {week}/{year}",
            template="emails/directives/digest",
            context={"items": rows, "on": on},
            link="/bao-cao/",
        )
    return sent


def staff_queue(on: date) -> dict[str, list[dict]]:
    """What waits for the alliance's staff on `on`: reports to review, congresses overdue, loans overdue, and
    imports that failed in the last 7 days; each row has a "title" and a "link" (a path on the site)."""
    reports = Report.objects.filter(state=Report.State.SUBMITTED).select_related("request", "agency")
    return {
        "reports": [
            {
                "title": f"{report.request.title} — {report.agency.short_name or report.agency.name}",
                "at": report.submitted_at,
                "link": report.get_absolute_url(),
            }
            for report in reports.order_by("submitted_at", "pk")
        ],
        "congresses": cooperative_selectors.congresses_overdue(on),
        "loans": fund_selectors.loans_overdue(on),
        "imports": cooperative_selectors.imports_failed(on - timedelta(days=7)),
    }


def staff_digests_send(*, on: date) -> int:
    """The alliance staff's weekly digest of what waits for them, once per ISO week (recorded as a Reminder of the
    alliance's agency); nothing is sent when nothing waits. Returns the number of people it reached."""
    queue = staff_queue(on)
    if not any(queue.values()):
        return 0
    alliance = Agency.objects.filter(kind=Agency.Kind.ALLIANCE, is_active=True).order_by("pk").first()
    if alliance is None:
        return 0
    year, week, _ = on.isocalendar()
    subject = f"Việc chờ Liên minh xử lý tuần {week}/{year}"
    link = "/bao-cao/tong-hop/"
    context = {**queue, "on": on, "link": link, "org": alliance}
    body = render_to_string("emails/directives/staff_digest.txt", context)
    try:
        with transaction.atomic():
            Reminder.objects.create(
                agency=alliance, key=f"staff-digest:{year}-W{week:02d}", subject=subject, body=body, link=link
            )
    except IntegrityError:
        return 0
    staff = list(User.objects.filter(is_active=True, groups__name=roles.ALLIANCE_STAFF).distinct())
    notify(staff, title=subject, body=body, link=link)
    mail_on_commit(
        subject=subject,
        template="emails/directives/staff_digest",
        context=context,
        recipients=[user.email for user in staff],
    )
    return len(staff)


# --- digital signatures on uploaded PDFs ---------------------------------------------------------------------------

SIGNED_FILE_MODELS = {"document": DocumentFile, "report": ReportFile}


def file_signature_check(*, kind: str, file_id: int) -> str:
    """Verify the signatures of one uploaded file (a document's or a report's) and keep the result on it."""
    item = SIGNED_FILE_MODELS[kind].objects.filter(pk=file_id).first()
    if item is None:  # deleted before the worker got to it
        return ""
    state = signature_check(obj=item)
    if kind == "document":
        bump_on_commit()  # the public document page shows the verdict
    return state


def signatures_recheck() -> int:
    """Check again every file that carries a signature (the trusted roots changed, so a verdict may have)."""
    done = 0
    for model in SIGNED_FILE_MODELS.values():
        for item in model.objects.filter(signature_state__in=SIGNED_STATES).only("pk", "file").iterator():
            signature_check(obj=item)
            done += 1
    bump_on_commit()
    return done


class SignatureCheckLimited(Exception):
    pass


def public_signature_check(*, data: bytes, ip: str) -> VerificationReport:
    """Verify a PDF someone uploaded on the public check page; the file is not kept. At most N checks per IP per hour
    (the cache counts them; without the cache the check still runs: the size limit bounds each one)."""
    key = "directives:signature-check:" + hashlib.sha256(ip.encode()).hexdigest()[:32]
    try:
        cache.add(key, 0, 3600)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - the cache is down: do not refuse citizens
        count = 1
    if count > settings.PORTAL_SIGNATURE_CHECKS_PER_HOUR:
        raise SignatureCheckLimited("Bạn đã kiểm tra quá nhiều tệp trong một giờ. Vui lòng thử lại sau.")
    return verify_pdf(data)


# --- the alliance's documents: the summary report, letters ----------------------------------------------------------


def _alliance_or_refuse() -> Agency:
    agency = official.alliance()
    if agency is None:
        raise ValidationError("Chưa có cơ quan Liên minh Hợp tác xã tỉnh trong danh sách cơ quan, đơn vị.")
    return agency


def _check_document_text(*, subject: str, body: str) -> None:
    errors = {}
    if not subject.strip():
        errors["subject"] = "Hãy nhập trích yếu của văn bản."
    if len(body) > official.BODY_MAX_CHARS:
        errors["body"] = f"Nội dung dài quá {official.BODY_MAX_CHARS:,} ký tự.".replace(",", ".")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def summary_issue(
    *, request: ReportRequest, subject: str, intro: str, recipients: list[str], signatory, by, token=None
) -> IssuedDocument:
    """The alliance's summary report of `request` to the provincial People's Committee (kind BC, the alliance's
    register), with the figures of selectors.request_summary as of today."""
    if not is_reviewer(by):
        raise PermissionDenied
    agency = _alliance_or_refuse()
    _check_document_text(subject=subject, body=intro)
    summary = selectors.request_summary(request, on=timezone.localdate())
    draft = official.summary_draft(
        summary,
        subject=subject.strip(),
        intro=intro,
        recipients=recipients,
        signatory=_check_signatory(agency, signatory) or official.default_signatory(agency),
        agency=agency,
    )
    return document_issue(draft=draft, by=by, source=request, token=token)


def letter_issue(
    *, subject: str, body: str, addressees, signatory, drafting_code: str, by, source=None, token=None, issued_on=None
) -> IssuedDocument:
    """A công văn of the alliance (kind CV) to `addressees`: each addressed agency's active officers are told in
    their inbox, with the link to the letter."""
    if not is_reviewer(by):
        raise PermissionDenied
    agency = _alliance_or_refuse()
    addressees = list(addressees)
    subject = official.letter_subject(subject)
    _check_document_text(subject=subject, body=body)
    if not addressees:
        raise ValidationError({"addressees": "Hãy chọn ít nhất một cơ quan nhận."})
    draft = official.letter_draft(
        agency=agency,
        subject=subject.strip(),
        body=body,
        addressees=addressees,
        signatory=_check_signatory(agency, signatory) or official.default_signatory(agency),
        drafting_code=drafting_code.strip().upper(),
    )
    draft.issued_on = issued_on
    with transaction.atomic():
        fresh = not (token and IssuedDocument.objects.filter(issue_token=token).exists())
        doc = document_issue(draft=draft, by=by, source=source, addressed_to=addressees, token=token)
        if fresh:
            link = f"/bao-cao/van-ban-di/{doc.pk}/?xem=1"
            people = User.objects.filter(is_active=True, agency__in=addressees)
            notify(people, title=f"Công văn số {doc.reference} của {agency.name}", body=doc.subject, link=link)
    return doc


def report_return_letter(*, report: Report, comment: str, signatory, drafting_code: str, by) -> IssuedDocument:
    """The letter returning a unit's report, with the reviewer's comment in its body."""
    title = report.request.title
    return letter_issue(
        subject=f"trả lại {title[:1].lower()}{title[1:]} để chỉnh sửa, bổ sung",
        body=official.return_letter_body(report, comment),
        addressees=[report.agency],
        signatory=signatory,
        drafting_code=drafting_code,
        by=by,
        source=report,
    )


@transaction.atomic
def report_review(*, report: Report, action: str, comment: str, by, letter: bool = False, signatory=None) -> Report:
    """A reviewer's decision; a return may send the unit a letter with the comment, in the same transaction."""
    report = report_transition(report=report, action=action, by=by, comment=comment)
    if letter and action == Report.Action.RETURN:
        report_return_letter(
            report=report, comment=comment.strip(), signatory=signatory, drafting_code=official.letter_code(), by=by
        )
    return report


def letters_for(user) -> list[IssuedDocument]:
    """The letters addressed to an officer's agency, the latest first (province staff see them on the request's
    summary page)."""
    scope = user_scope(user)
    if scope.everything or not scope.agency_ids:
        return []
    return list(IssuedDocument.objects.filter(addressed_to__in=scope.agency_ids).select_related("agency")[:20])


def issued_recent(user, limit: int = 5) -> list[IssuedDocument]:
    """The latest documents an officer's agency issued; for province-wide staff, the latest of every agency."""
    scope = user_scope(user)
    if scope.everything:
        qs = IssuedDocument.objects.all()
    elif scope.agency_ids:
        qs = IssuedDocument.objects.filter(agency_id__in=scope.agency_ids)
    else:
        return []
    return list(qs.select_related("agency").order_by("-issued_at", "-pk")[:limit])


def agency_work_move(old: Agency, new: Agency, change) -> list[Moved]:
    """A retired agency's open work goes to its successor (portal.agencychanges): its assignments not completed (and
    the lead of their tasks), and the report requests it has no accepted report on, with its report and draft there.
    A completed assignment and an accepted report keep their agency. Where the successor already holds the same
    assignment or report, the old one is folded into it (its role and progress note) or kept where it is, and the
    record says which."""
    reason = f"Chuyển sang {new.short_name or new.name}"[:100]
    moved: list[Moved] = []
    assignments = TaskAssignment.objects.select_for_update().filter(agency=old, completed_on__isnull=True)
    for assignment in assignments.select_related("task__document").order_by("pk"):
        task = assignment.task
        theirs = TaskAssignment.objects.select_for_update().filter(task=task, agency=new).first()
        if theirs is None:
            assignment.agency = new
            assignment._change_reason = reason
            assignment.save(update_fields=["agency"])
            moved.append(Moved("Phân công nhiệm vụ", str(task), assignment.pk))
        else:
            if assignment.role == TaskAssignment.Role.LEAD:
                theirs.role = TaskAssignment.Role.LEAD
            if assignment.progress_note:
                theirs.progress_note = "\n".join(n for n in (theirs.progress_note, assignment.progress_note) if n)
            theirs._change_reason = f"Gộp phân công của {old.short_name or old.name}"[:100]
            theirs.save(update_fields=["role", "progress_note"])
            assignment._change_reason = reason
            assignment.delete()
            moved.append(Moved("Phân công nhiệm vụ", str(task), assignment.pk, f"gộp vào phân công sẵn có của {new}"))
        if task.lead_agency_id == old.pk:
            Task.objects.filter(pk=task.pk).update(lead_agency=new)
    for request in ReportRequest.objects.filter(agencies=old).order_by("pk"):
        report = Report.objects.select_for_update().filter(request=request, agency=old).first()
        if report is not None and report.state == Report.State.ACCEPTED:
            continue
        note = ""
        if report is not None:
            if Report.objects.filter(request=request, agency=new).exists():
                moved.append(Moved("Báo cáo", str(report), report.pk, f"giữ ở cơ quan cũ: {new} đã có báo cáo này"))
                continue
            report.agency = new
            report._change_reason = reason
            report.save(update_fields=["agency"])
            note = f"cùng báo cáo ({report.get_state_display().lower()})"
        draft = ReportDraft.objects.filter(request=request, agency=old).first()
        if draft is not None:
            if ReportDraft.objects.filter(request=request, agency=new).exists():
                draft.delete()
            else:
                ReportDraft.objects.filter(pk=draft.pk).update(agency=new)
        request.agencies.remove(old)
        request.agencies.add(new)
        moved.append(Moved("Yêu cầu báo cáo", str(request), request.pk, note))
    return moved
