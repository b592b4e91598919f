"""Public document pages, the officers' workspace (/bao-cao/) and the province's view for staff.

Every object is fetched through a `for_user` queryset (portal.access decides), so another agency's object is a 404.
"""

import uuid
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import staffcache, versioned
from portal.access import user_scope
from portal.contentcache import CachedCountPaginator, query_key
from portal.models import AdministrativeUnit, SiteSettings
from portal.official import issued_visible_to, render_draft_pdf
from portal.official_views import issued_file_response
from portal.pagecache import anonymous_page, understands
from portal.pdf import pdf_bytes_response, pdf_response
from portal.security import client_ip
from portal.signatures import SignatureState
from portal.storage import attachment_response, wants_inline
from portal.unitmap import TODAY_MAP, area_today, unit_and_merged_ids

from . import exports, official, scorecard, selectors, services
from .filters import DocumentFilter
from .forms import (
    ExtensionForm,
    LetterForm,
    ProgressForm,
    ReportForm,
    ReviewForm,
    ScorecardForm,
    SignatureCheckForm,
    SummaryIssueForm,
)
from .indicators import prefill_sources, prefill_values
from .models import Document, DocumentFile, Reminder, Report, ReportFile, ReportRequest, Task, TaskAssignment


def _visible_documents(user):
    qs = Document.objects.all()
    return qs if user_scope(user).everything else qs.public()


# --- public -----------------------------------------------------------------------------------------------------


def _public_documents():
    return Document.objects.public().select_related("replaced_by").defer("full_text", "search_text")


def _document_filter_form(data):
    return DocumentFilter(data, queryset=_public_documents()).form


@anonymous_page(query=understands(page=True, form=_document_filter_form, free_text=("q",)))
def document_list(request):
    public = _public_documents()
    filterset = DocumentFilter(request.GET or None, queryset=public)
    key = f"documents:{query_key(request.GET)}"
    page = CachedCountPaginator(filterset.qs, 20, count_key=key).get_page(request.GET.get("page"))
    q = filterset.form.cleaned_data.get("q") if filterset.is_bound and filterset.is_valid() else ""
    file_hits = selectors.document_file_hits(page.object_list, q) if q else {}
    for doc in page.object_list:
        doc.file_hit = file_hits.get(doc.pk)
    return render(request, "directives/document_list.html", {"filter": filterset, "page_obj": page})


def document_detail(request, slug):
    document = get_object_or_404(_visible_documents(request.user).select_related("replaced_by"), slug=slug)
    tasks = selectors.directive_task_table(document, on=timezone.localdate())
    ctx = {
        "document": document,
        "files": document.files.defer("text"),
        "relations_out": document.relations_out.select_related("target"),
        "relations_in": document.relations_in.select_related("source"),
        "tasks": tasks,
    }
    return render(request, "directives/document_detail.html", ctx)


def document_file(request, pk):
    item = get_object_or_404(DocumentFile.objects.filter(document__in=_visible_documents(request.user)), pk=pk)
    return attachment_response(item.file, item.original_name, inline=wants_inline(request))


def document_file_ocr(request, pk):
    """The copy of a scanned PDF with a text layer (portal.extract), shown in the browser; the original stays as
    uploaded (it may carry a signature)."""
    files = DocumentFile.objects.filter(document__in=_visible_documents(request.user)).exclude(ocr_file="")
    item = get_object_or_404(files.only("pk", "ocr_file", "original_name"), pk=pk)
    stem = item.original_name.rsplit(".", 1)[0] or "van-ban"
    return attachment_response(item.ocr_file, f"{stem} (OCR).pdf", inline=True)


# --- workspace --------------------------------------------------------------------------------------------------


@login_required
def workspace(request):
    return staffcache.page(request, lambda: _workspace(request))


def _workspace(request):
    scope = user_scope(request.user)
    on = timezone.localdate()
    agency_ids = [request.user.agency_id] if request.user.agency_id and not scope.everything else []
    ctx = {
        "cells": selectors.workspace_requests(agency_ids, on=on),
        "assignments": selectors.sort_assignments(selectors.workspace_assignments(agency_ids), on=on),
        "reminders": Reminder.objects.filter(agency_id__in=agency_ids)[:10],
        "letters": services.letters_for(request.user),
        "issued_recent": services.issued_recent(request.user),
        "is_reviewer": services.is_reviewer(request.user),
        "province": scope.everything,
        "today": on,
    }
    if scope.everything:
        waiting = Report.objects.filter(state=Report.State.SUBMITTED).select_related("request", "agency")
        ctx["waiting"] = Paginator(waiting.order_by("submitted_at"), 20).get_page(request.GET.get("page"))
    return render(request, "directives/workspace.html", ctx)


LOCKED_MESSAGE = (
    "Báo cáo đã được gửi hoặc đã được chấp nhận trong lúc bạn đang sửa nên nội dung dưới đây chưa được lưu. "
    "Nội dung bạn nhập vẫn còn bên dưới: hãy sao chép lại nếu cần, rồi xem báo cáo đã gửi."
)


def _asked_request(user, request_pk):
    """A request the user's agency was asked for (another agency's is a 404)."""
    asked = ReportRequest.objects.filter(agencies=user.agency_id) if user.agency_id else ReportRequest.objects.none()
    return get_object_or_404(asked, pk=request_pk)


@login_required
def report_edit(request, request_pk):
    """The officer's report for one request: save a draft, attach files, submit. What was typed survives every
    refusal: the bound form comes back with it, and the autosaved draft (report_autosave) fills the form when it
    is opened again."""
    agency = request.user.agency
    report_request = _asked_request(request.user, request_pk)
    report = Report.objects.filter(request=report_request, agency=agency).prefetch_related("values").first()
    locked = report is not None and not report.is_editable
    if locked and request.method != "POST":
        return redirect(report)
    prefilled = _prefilled(report, report_request, agency)
    draft = services.report_draft_for(request=report_request, agency=agency)
    shown = draft if request.method != "POST" and services.draft_applies(draft, report) else None
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        request_obj=report_request,
        report=report,
        prefilled=prefilled,
        draft=shown.data if shown else None,
        sources=_sources(report_request, agency),
        agency=agency,
    )
    if request.method == "POST" and form.is_valid() and locked:
        form.add_error(None, LOCKED_MESSAGE)
    elif request.method == "POST" and form.is_valid():
        submitting = request.POST.get("action") == "submit"
        if not submitting or form.require_all_indicators():
            try:
                report = services.report_submit(
                    request=report_request,
                    agency=agency,
                    expected_version=form.cleaned_data["version"],
                    narrative=form.narrative(),
                    values=form.values(),
                    attachment=form.cleaned_data.get("attachment"),
                    submit=submitting,
                    by=request.user,
                    signatory=form.cleaned_data.get("signatory"),
                )
                if submitting:
                    messages.success(request, "Đã gửi báo cáo tới Liên minh HTX tỉnh.")
                    return redirect(report)
                messages.success(request, "Đã lưu bản nháp.")
                return redirect("directives:report_edit", request_pk=report_request.pk)
            except services.EditConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
    ctx = {"form": form, "report": report, "report_request": report_request, "agency": agency}
    ctx["files"] = report.files.all() if report and not locked else []
    ctx["transitions"] = report.transitions.select_related("by") if report else []
    ctx["draft"] = shown
    ctx["no_signatory_message"] = official.NO_SIGNATORY_MESSAGE
    ctx["draft_version"] = draft.version if draft else 0
    return render(request, "directives/report_form.html", ctx, status=400 if form.errors else 200)


AUTOSAVES_PER_MINUTE = 30  # the form saves at most every 10 s and on leaving a box: 30 leaves room for two tabs


def _autosave_allowed(user_id: int) -> bool:
    """A fixed one-minute window per user in the cache; when the cache is down, autosaves are not limited."""
    key = f"directives:autosave:{user_id}"
    cache.add(key, 0, 60)
    try:
        return cache.incr(key) <= AUTOSAVES_PER_MINUTE
    except ValueError:  # expired between add() and incr()
        return True


@login_required
def report_autosave(request, request_pk):
    """The form's autosave (static/js/report-autosave.js): POST stores what is typed as the unit's draft and
    answers JSON; GET reads it back. Only officers of an agency asked for the report reach it (404 otherwise);
    the CSRF token is checked as for any POST."""
    report_request = _asked_request(request.user, request_pk)
    agency = request.user.agency
    if request.method == "GET":
        draft = services.report_draft_for(request=report_request, agency=agency)
        if draft is None:
            return JsonResponse({"draft_version": 0, "data": {}})
        return JsonResponse({"draft_version": draft.version, "data": draft.data, **_saved_at(draft)})
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if not _autosave_allowed(request.user.pk):
        message = "Bản nháp được lưu quá nhiều lần trong một phút; sẽ lưu lại sau ít giây."
        return JsonResponse({"error": message}, status=429, headers={"Retry-After": "20"})
    report_version, draft_version = _version(request.POST.get("version")), _version(request.POST.get("draft_version"))
    if report_version is None or draft_version is None:
        return JsonResponse({"error": "Thiếu phiên bản của báo cáo: hãy tải lại trang."}, status=400)
    try:
        draft = services.report_draft_save(
            request=report_request,
            agency=agency,
            data=request.POST,
            report_version=report_version,
            draft_version=draft_version,
            by=request.user,
        )
    except services.DraftConflict as exc:
        body = {"error": str(exc), "draft_version": exc.current.version if exc.current else None}
        return JsonResponse(body, status=409)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"draft_version": draft.version, **_saved_at(draft)})


def _version(value) -> int | None:
    """A version as the page sent it: ASCII digits, within the database's integer range (else None)."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    return int(text)


def _saved_at(draft) -> dict:
    at = timezone.localtime(draft.saved_at)
    return {"saved_at": at.isoformat(), "message": f"Đã lưu nháp lúc {at:%H:%M}"}


def _prefilled(report, report_request, agency):
    if report:
        return {v.code: v.prefilled for v in report.values.all()}
    return prefill_values(
        report_request.indicator_codes,
        unit_ids=unit_and_merged_ids(agency.unit),
        period_start=report_request.period_start,
        period_end=report_request.period_end,
    )


def _sources(report_request, agency):
    unit = agency.unit
    return prefill_sources(
        report_request.indicator_codes,
        district_id=unit.pk if unit.level == AdministrativeUnit.Level.DISTRICT else None,
        commune_id=unit.pk if unit.level == AdministrativeUnit.Level.COMMUNE and unit.valid_to is None else None,
        period_start=report_request.period_start,
        period_end=report_request.period_end,
    )


def _scoped_report(user, pk):
    return get_object_or_404(Report.objects.for_user(user).select_related("request__task__document", "agency"), pk=pk)


@login_required
def report_detail(request, pk):
    report = _scoped_report(request.user, pk)
    reviewer = services.is_reviewer(request.user)
    ctx = {
        "report": report,
        "values": _value_table(report),
        "files": report.files.all(),
        "transitions": report.transitions.select_related("by"),
        "review_form": ReviewForm(report=report) if reviewer and report.reviewer_actions() else None,
        "can_edit": report.is_editable and services.may_edit_for(request.user, report.agency_id),
        **_task_links(report, request.user),
        **_report_documents(report),
    }
    return render(request, "directives/report_detail.html", ctx)


def _report_documents(report) -> dict:
    """The documents issued for the report (the current one first, then those it replaced), and the letters
    returning it to the unit."""
    issued = services.report_documents(report)
    return {
        "issued": [doc for doc in issued if doc.kind == "BC"],
        "return_letters": [doc for doc in issued if doc.kind == "CV"],
    }


def _task_links(report, user) -> dict:
    """The task a report is evidence for: the unit's assignment page, and for staff the directive's task list."""
    task = report.request.task
    if task is None:
        return {}
    assignment = TaskAssignment.objects.filter(task=task, agency_id=report.agency_id).first()
    directive_url = None
    if user_scope(user).everything:
        directive_url = f"{reverse('directives:province_directive', args=[task.document.slug])}#nhiem-vu-{task.order}"
    return {"task": task, "task_assignment": assignment, "task_directive_url": directive_url}


def _value_rows(report):
    saved = {v.code: v for v in report.values.all()}
    return [(item, saved.get(item.code)) for item in report.request.indicators()]


def _value_table(report):
    """For the reviewer: each indicator's reported value beside the registry's, its source, and whether the unit
    changed it."""
    sources = _sources(report.request, report.agency)
    rows = []
    for item, v in _value_rows(report):
        changed = v is not None and None not in (v.value, v.prefilled) and v.value != v.prefilled
        rows.append({"item": item, "v": v, "source": sources.get(item.code), "changed": changed})
    return rows


@login_required
@require_POST
def report_review(request, pk):
    report = _scoped_report(request.user, pk)
    if not services.is_reviewer(request.user):
        raise Http404
    form = ReviewForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.report_review(
                report=report,
                action=form.cleaned_data["action"],
                by=request.user,
                comment=form.cleaned_data["comment"],
                letter=form.cleaned_data.get("letter", False),
            )
            messages.success(request, "Đã cập nhật trạng thái báo cáo.")
            return redirect(report)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    ctx = {
        "report": report,
        "values": _value_table(report),
        "files": report.files.all(),
        "transitions": report.transitions.select_related("by"),
        "review_form": form,
        "can_edit": False,
        **_task_links(report, request.user),
        **_report_documents(report),
    }
    return render(request, "directives/report_detail.html", ctx, status=400)


@login_required
def report_pdf(request, pk):
    """The report's document: once submitted, the document issued (signed once signed); while it is a draft or
    returned for correction, the draft of what would be issued, marked DỰ THẢO and without a number."""
    report = _scoped_report(request.user, pk)
    issued = services.report_documents(report)
    current = next((doc for doc in issued if doc.kind == "BC"), None)
    if current is not None and not report.is_editable:
        return issued_file_response(request, current)
    draft = official.report_draft(report, official.default_signatory(report.agency))
    return pdf_bytes_response(render_draft_pdf(draft), f"du-thao-bao-cao-{report.pk}", inline=wants_inline(request))


@login_required
def issued_file(request, pk):
    """An issued document's PDF at the address the officers' notifications carry (portal.official_views)."""
    return issued_file_response(request, get_object_or_404(issued_visible_to(request.user), pk=pk))


@login_required
def report_file(request, pk):
    item = get_object_or_404(ReportFile.objects.filter(report__in=Report.objects.for_user(request.user)), pk=pk)
    return attachment_response(item.file, item.original_name, inline=wants_inline(request))


@login_required
@require_POST
def report_file_delete(request, pk):
    item = get_object_or_404(
        ReportFile.objects.filter(report__in=Report.objects.for_user(request.user)).select_related("report"), pk=pk
    )
    if not item.report.is_editable or not services.may_edit_for(request.user, item.report.agency_id):
        raise Http404
    services.report_remove_file(report_file=item, by=request.user)
    messages.success(request, f"Đã xóa tệp “{item.original_name}”.")
    return redirect("directives:report_edit", request_pk=item.report.request_id)


@login_required
def assignment_detail(request, pk):
    assignment = get_object_or_404(
        TaskAssignment.objects.for_user(request.user).select_related("task__document", "agency"), pk=pk
    )
    reviewer = services.is_reviewer(request.user)
    may_report = services.may_edit_for(request.user, assignment.agency_id) or reviewer
    progress = ProgressForm(request.POST if "progress" in request.POST else None, instance=assignment, prefix="p")
    extension = ExtensionForm(request.POST if "extend" in request.POST else None, instance=assignment, prefix="e")
    tied = services.assignment_has_tied_request(assignment)
    if tied:
        _progress_form_for_tied_request(progress, reviewer=reviewer)
    if request.method == "POST":
        try:
            if "progress" in request.POST and may_report and progress.is_valid():
                services.assignment_update_progress(
                    assignment=assignment,
                    completed_on=progress.cleaned_data["completed_on"],
                    note=progress.cleaned_data["progress_note"],
                    by=request.user,
                )
                messages.success(request, "Đã cập nhật tiến độ.")
                return redirect(assignment)
            if "extend" in request.POST and reviewer and extension.is_valid():
                services.assignment_extend(
                    assignment=assignment,
                    until=extension.cleaned_data["extended_deadline"],
                    reason=extension.cleaned_data["extension_reason"],
                    by=request.user,
                )
                messages.success(request, "Đã gia hạn nhiệm vụ.")
                return redirect(assignment)
        except ValidationError as exc:
            target = progress if "progress" in request.POST else extension
            target.add_error(None, exc.messages)
    ctx = {"assignment": assignment, "progress": progress if may_report else None, "tied": tied}
    ctx["tied_reports"] = selectors.task_reports(
        [assignment.task_id], on=timezone.localdate(), agency_ids=[assignment.agency_id]
    ).get((assignment.task_id, assignment.agency_id), [])
    ctx["extension"] = extension if reviewer else None
    ctx["may_edit_report"] = services.may_edit_for(request.user, assignment.agency_id)
    return render(request, "directives/assignment_detail.html", ctx, status=400 if request.method == "POST" else 200)


def _progress_form_for_tied_request(form, *, reviewer: bool) -> None:
    """The unit's accepted report completes the task: officers write the note only; staff may still type a date."""
    field = form.fields["completed_on"]
    if reviewer:
        field.help_text = (
            "Báo cáo gắn với nhiệm vụ sẽ tự ghi ngày hoàn thành khi được chấp nhận (và bỏ khi bị trả lại); "
            "chỉ nhập tay khi nhiệm vụ hoàn thành mà không qua báo cáo."
        )
    else:
        field.disabled = True
        field.help_text = "Ngày hoàn thành do Liên minh HTX tỉnh ghi khi chấp nhận báo cáo của đơn vị."


# --- the province's view (staff) --------------------------------------------------------------------------------


def _require_province(user):
    if not user_scope(user).everything:
        raise Http404


@login_required
def province_matrix(request):
    _require_province(request.user)
    return staffcache.page(request, lambda: _province_matrix(request))


def _province_matrix(request):
    requests = ReportRequest.objects.order_by("-deadline", "-pk")
    page = Paginator(requests, 6).get_page(request.GET.get("page"))
    on = timezone.localdate()

    def table():
        matrix = selectors.report_matrix(page.object_list, on=on)
        return render_to_string("directives/_matrix_table.html", {"matrix": matrix})

    # 200 agencies × 6 requests cost ~40 ms to build and render: kept until a report, a request or an agency
    # changes (portal.signals), and per day, since a cell turns overdue when its deadline passes.
    key = f"directives:matrix:{on.isoformat()}:{'-'.join(str(r.pk) for r in page.object_list)}"
    directives = (
        Document.objects.filter(Exists(Task.objects.filter(document=OuterRef("pk"))))
        .only("slug", "doc_type", "number", "summary")  # not the full text of each
        .order_by("-issue_date")
    )
    ctx = {
        "matrix_table": versioned.cached("report-matrix", key, table),
        "page_obj": page,
        "directives": directives[:50],
    }
    return render(request, "directives/province_matrix.html", ctx)


@login_required
def province_request(request, pk):
    _require_province(request.user)
    summary = selectors.request_summary(get_object_or_404(ReportRequest, pk=pk), on=timezone.localdate())
    ctx = {"summary": summary, **selectors.request_documents(summary.request)}
    ctx["is_reviewer"] = services.is_reviewer(request.user)
    return render(request, "directives/province_request.html", ctx)


def _reviewer_request(user, pk):
    if not services.is_reviewer(user):
        raise Http404
    return get_object_or_404(ReportRequest, pk=pk)


def _alliance(request):
    agency = official.alliance()
    if agency is None:
        raise Http404
    return agency


@login_required
def summary_issue(request, pk):
    """The alliance's summary report of a request to the provincial People's Committee: the form, a preview (the
    draft PDF), then the issue."""
    report_request = _reviewer_request(request.user, pk)
    agency = _alliance(request)
    initial = {**official.summary_defaults(report_request), "token": uuid.uuid4()}
    form = SummaryIssueForm(request.POST or None, initial=initial, agency=agency)
    if request.method == "POST" and form.is_valid():
        fields = {
            "subject": form.cleaned_data["subject"],
            "intro": form.cleaned_data["intro"],
            "recipients": form.recipient_list(),
        }
        if request.POST.get("action") == "preview":
            summary = selectors.request_summary(report_request, on=timezone.localdate())
            draft = official.summary_draft(summary, signatory=form.signatory(), agency=agency, **fields)
            return pdf_bytes_response(render_draft_pdf(draft), f"du-thao-tong-hop-{pk}", inline=True)
        try:
            doc = services.summary_issue(
                request=report_request,
                signatory=form.signatory(),
                by=request.user,
                token=form.cleaned_data["token"],
                **fields,
            )
            messages.success(request, f"Đã phát hành Báo cáo tổng hợp số {doc.reference}.")
            return redirect("directives:province_request", pk=pk)
        except ValidationError as exc:
            _add_errors(form, exc)
    ctx = {"form": form, "report_request": report_request, "agency": agency}
    return render(request, "directives/summary_issue.html", ctx, status=400 if form.errors else 200)


@login_required
def reminder_letter(request, pk):
    """A công văn đôn đốc to the agencies asked that have not sent their report (prefilled, editable)."""
    report_request = _reviewer_request(request.user, pk)
    agency = _alliance(request)
    late = selectors.not_submitted(report_request)
    initial = {**official.reminder_defaults(report_request, late), "token": uuid.uuid4()}
    initial["drafting_code"] = official.letter_code()
    form = LetterForm(request.POST or None, initial=initial, agency=agency, agencies=report_request.agencies.all())
    if request.method == "POST" and form.is_valid():
        fields = {
            "subject": form.cleaned_data["subject"],
            "body": form.cleaned_data["body"],
            "addressees": list(form.cleaned_data["addressees"]),
            "drafting_code": form.cleaned_data["drafting_code"],
            "signatory": form.signatory(),
        }
        if request.POST.get("action") == "preview":
            fields["drafting_code"] = fields["drafting_code"].upper()
            draft = official.letter_draft(agency=agency, **fields)
            return pdf_bytes_response(render_draft_pdf(draft), f"du-thao-cong-van-{pk}", inline=True)
        try:
            doc = services.letter_issue(
                by=request.user, source=report_request, token=form.cleaned_data["token"], **fields
            )
            messages.success(request, f"Đã phát hành Công văn số {doc.reference}.")
            return redirect("directives:province_request", pk=pk)
        except ValidationError as exc:
            _add_errors(form, exc)
    ctx = {"form": form, "report_request": report_request, "agency": agency}
    return render(request, "directives/letter_form.html", ctx, status=400 if form.errors else 200)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def province_request_xlsx(request, pk):
    _require_province(request.user)
    summary = selectors.request_summary(get_object_or_404(ReportRequest, pk=pk), on=timezone.localdate())
    return exports.summary_xlsx_response(summary)


@login_required
def province_request_pdf(request, pk):
    _require_province(request.user)
    summary = selectors.request_summary(get_object_or_404(ReportRequest, pk=pk), on=timezone.localdate())
    ctx = {"summary": summary, "org": SiteSettings.current(), "today": timezone.localdate()}
    return pdf_response("pdf/directives/request_summary.html", ctx, f"tong-hop-bao-cao-{pk}")


@login_required
def province_directive(request, slug):
    _require_province(request.user)
    document = get_object_or_404(Document.objects.filter(Q(tasks__isnull=False)).distinct(), slug=slug)
    tasks = selectors.directive_task_table(document, on=timezone.localdate(), with_reports=True)
    return render(request, "directives/province_directive.html", {"document": document, "tasks": tasks})


# --- the district scorecard (staff and officers) --------------------------------------------------------------------


def _scorecard_scope(user):
    scope = user_scope(user)
    if not scope.everything and not scope.unit_ids:
        raise Http404
    return scope


def _scorecard(request):
    scope = _scorecard_scope(request.user)
    form = ScorecardForm(request.GET or None, initial={"ngay": timezone.localdate()})
    card = scorecard.scorecard(
        form.day(),
        own_unit_ids=frozenset() if scope.everything else scope.unit_ids,
        linked=lambda unit_id: scope.everything or unit_id in scope.unit_ids,
        loans_linked=request.user.has_perm("fund.view_loan"),
        today_map=form.today_map(),
    )
    return form, card


def _scorecard_query(card) -> str:
    return urlencode({"ngay": _day(card.on), **({"ban_do": TODAY_MAP} if card.today_map else {})})


@login_required
def scorecard_page(request):
    form, card = _scorecard(request)
    ctx = {"form": form, "card": card, "charts": scorecard.charts(card), "query": _scorecard_query(card)}
    return render(request, "directives/scorecard.html", ctx, status=400 if form.errors else 200)


@login_required
def scorecard_xlsx(request):
    form, card = _scorecard(request)
    if form.errors:
        raise Http404
    return exports.scorecard_xlsx_response(card)


@login_required
def scorecard_pdf(request):
    form, card = _scorecard(request)
    if form.errors:
        raise Http404
    ctx = {"card": card, "org": SiteSettings.current(), "today": timezone.localdate()}
    return pdf_response("pdf/directives/scorecard.html", ctx, f"chi-so-dia-ban-{card.on:%Y-%m-%d}")


def _day(on):
    return on.strftime("%d/%m/%Y")


def _scorecard_list_args(request):
    """The district (None: the province; with `ban_do=hien-nay`, the commune of today's map given as `xa`), the
    date, and whether the rows are on today's map, of a list behind a scorecard figure, within the user's scope."""
    scope = _scorecard_scope(request.user)
    form = ScorecardForm(request.GET or None)
    if form.errors:
        raise Http404
    today_map = form.today_map()
    if request.GET.get("don_vi" if today_map else "xa"):  # the other map's area: a list of neither
        raise Http404
    raw = request.GET.get("xa" if today_map else "don_vi") or None
    unit = None
    if raw is not None:
        pk = _version(raw)
        if pk is None:
            raise Http404
        unit = get_object_or_404(AdministrativeUnit, pk=pk)
        area = area_today(unit.pk) if today_map else None
        if area is not None and not (area.is_commune and area.id == unit.pk):
            raise Http404  # on today's map a row is a commune of today
    if not (scope.everything or (unit is not None and unit.pk in scope.unit_ids)):
        raise Http404
    return unit, form.day(), today_map


@login_required
def scorecard_reports(request):
    unit, on, today_map = _scorecard_list_args(request)
    rows = scorecard.report_rows(on, district_id=unit.pk if unit else None, today_map=today_map)
    on_time = request.GET.get("dung_han") == "1"
    if on_time:
        rows = [row for row in rows if row.on_time]
    ctx = {"unit": unit, "on": on, "rows": rows, "on_time": on_time, "count": len(rows)}
    return render(request, "directives/scorecard_reports.html", ctx)


@login_required
def scorecard_tasks(request):
    unit, on, today_map = _scorecard_list_args(request)
    wanted = request.GET.get("trang_thai") or ""
    if wanted not in ("", "done", "overdue"):
        raise Http404
    rows = scorecard.task_rows(on, district_id=unit.pk if unit else None, today_map=today_map)
    if wanted == "done":
        rows = [(a, s) for a, s in rows if s in scorecard.DONE]
    elif wanted == "overdue":
        rows = [(a, s) for a, s in rows if s == TaskAssignment.Status.OVERDUE]
    labelled = [(a, TaskAssignment.Status(s).label, s) for a, s in rows]
    ctx = {"unit": unit, "on": on, "rows": labelled, "wanted": wanted, "count": len(rows)}
    return render(request, "directives/scorecard_tasks.html", ctx)


def signature_check(request):
    """Anyone checks the digital signatures of a PDF; the file is read in memory and not kept."""
    form = SignatureCheckForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.public_signature_check(data=form.cleaned_data["pdf"], ip=client_ip(request) or "")
        except services.SignatureCheckLimited as exc:
            form.add_error(None, str(exc))
        else:
            label = dict(SignatureState.choices)[report.state]
            result = SimpleNamespace(signature_state=report.state, signature=report, get_signature_state_display=label)
    return render(request, "directives/signature_check.html", {"form": form, "result": result})
