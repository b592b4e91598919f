"""Pages of the fund: the public page, the staff loan book and reports, and the agencies' appraisal pages."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import staffcache
from portal.access import user_scope
from portal.models import SiteSettings
from portal.pagecache import NOTHING, anonymous_page
from portal.pdf import pdf_response
from portal.storage import attachment_response, wants_inline
from portal.unitmap import TODAY_MAP

from . import exports, forms, loanbook, reports, services
from .filters import LoanFilter
from .models import Appraisal, Loan, LoanDocument, LoanProduct


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("Trang này dành cho cán bộ Quỹ và Liên minh.")


# Public -----------------------------------------------------------------------------------------------------------


@anonymous_page(query=NOTHING)
def fund_home(request: HttpRequest) -> HttpResponse:
    ctx = {
        "products": LoanProduct.objects.filter(is_active=True),
        "figures": reports.public_figures(),
        "capital": services.FundCapital.amount_on(timezone.localdate()),
    }
    return render(request, "fund/home.html", ctx)


# Staff: loan book -------------------------------------------------------------------------------------------------


@login_required
def loan_list(request: HttpRequest) -> HttpResponse:
    _require(request, "fund.view_loan")
    return staffcache.page(request, lambda: _loan_list(request))


def _loan_list(request: HttpRequest) -> HttpResponse:
    qs = Loan.objects.for_user(request.user).select_related("product", "cooperative__unit", "member")
    filtered = LoanFilter(request.GET, queryset=qs)
    page = Paginator(filtered.qs, 25).get_page(request.GET.get("page"))
    return render(request, "fund/loan_list.html", {"filter": filtered, "page_obj": page})


@dataclass(frozen=True)
class Action:
    """A step of a loan's workflow on its page: the form that reads it and the service that performs it."""

    form: type[django_forms.Form]
    run: Callable[[Loan, dict, object], object]  # (loan, cleaned data, user)


def _reverse_payment(loan: Loan, data: dict, by) -> None:
    payment = loan.payments.filter(pk=data["payment"]).first()
    if payment is None:
        raise ValidationError("Không tìm thấy giao dịch trả nợ.")
    services.repayment_reverse(payment=payment, reason=data["reason"], by=by)


ACTIONS = {
    "appraisal": Action(
        forms.AppraisalRequestForm,
        lambda loan, d, by: services.loan_send_to_appraisal(loan=loan, agencies=d["agencies"], on=d["on"], by=by),
    ),
    "approve": Action(
        forms.ApproveForm,
        lambda loan, d, by: services.loan_approve(
            loan=loan, amount=d["amount"], term_months=d["term_months"], rate=d["rate"], on=d["on"], by=by
        ),
    ),
    "reject": Action(
        forms.RejectForm, lambda loan, d, by: services.loan_reject(loan=loan, reason=d["reason"], on=d["on"], by=by)
    ),
    "contract": Action(
        forms.ContractForm,
        lambda loan, d, by: services.loan_sign_contract(loan=loan, number=d["number"], on=d["on"], by=by),
    ),
    "disburse": Action(
        forms.DisburseForm,
        lambda loan, d, by: services.loan_disburse(loan=loan, amount=d["amount"], on=d["on"], by=by, note=d["note"]),
    ),
    "payment": Action(
        forms.PaymentForm,
        lambda loan, d, by: services.repayment_record(loan=loan, amount=d["amount"], on=d["on"], by=by, note=d["note"]),
    ),
    "reverse": Action(forms.ReverseForm, _reverse_payment),
    "restructure": Action(
        forms.RestructureForm,
        lambda loan, d, by: services.loan_restructure(
            loan=loan, on=d["on"], term_months=d["term_months"], reason=d["reason"], by=by
        ),
    ),
    "write_off": Action(
        forms.WriteOffForm,
        lambda loan, d, by: services.loan_write_off(loan=loan, on=d["on"], reason=d["reason"], by=by),
    ),
}


def _loan(request, pk) -> Loan:
    return get_object_or_404(Loan.objects.for_user(request.user).with_events(), pk=pk)


@login_required
def loan_detail(request: HttpRequest, pk: int, action: str | None = None, bound=None) -> HttpResponse:
    _require(request, "fund.view_loan")
    loan = _loan(request, pk)
    today = timezone.localdate()
    on = _as_of(request, today)
    today_str = today.isoformat()
    initial = {"on": today_str, "amount": loan.approved_amount, "term_months": loan.requested_term_months}
    initial["rate"] = loan.product.annual_rate
    if loan.status in (Loan.Status.RECEIVED, Loan.Status.APPRAISAL):
        initial["agencies"] = services.loan_appraisal_agencies(loan)
    action_forms = {name: step.form(initial=initial) for name, step in ACTIONS.items()}
    if bound is not None:
        action_forms[action] = bound
    booked = loan.status in Loan.BOOKED
    ctx = {
        "loan": loan,
        "on": on,
        "state": loan.state(on) if booked else None,
        "planned": None if booked else loan.planned_schedule(),
        "checks": services.loan_eligibility(loan=loan, on=on) if loan.status in ("received", "appraisal") else None,
        "workflow": loan.workflow.select_related("by"),
        "appraisals": loan.appraisals.select_related("agency", "recorded_by"),
        "forms": action_forms,
        "open_action": action,
        "can_change": request.user.has_perm("fund.change_loan"),
        # Borrowers' papers: listed only to those the download view serves (fund and alliance staff).
        "documents": loan.documents.all() if user_scope(request.user).everything else None,
    }
    return render(request, "fund/loan_detail.html", ctx, status=400 if bound is not None else 200)


@login_required
def loan_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A borrower's paper, for fund and alliance staff only; anyone else gets the same 404 as a missing file."""
    if not user_scope(request.user).everything:
        raise Http404("Không tìm thấy tệp.")
    document = get_object_or_404(LoanDocument.objects.filter(loan__in=Loan.objects.for_user(request.user)), pk=pk)
    return attachment_response(document.file, document.original_name, inline=wants_inline(request))


def _as_of(request, default: date) -> date:
    form = forms.ReportForm(request.GET)
    return (form.is_valid() and form.cleaned_data.get("ngay")) or default


@require_POST
@login_required
def loan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require(request, "fund.change_loan")
    if action not in ACTIONS:
        raise PermissionDenied
    loan = _loan(request, pk)
    form = ACTIONS[action].form(request.POST)
    if form.is_valid():
        try:
            ACTIONS[action].run(loan, form.cleaned_data, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Đã cập nhật hồ sơ.")
            return redirect(loan.get_absolute_url())
    return loan_detail(request, pk, action=action, bound=form)


@login_required
def schedule_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "fund.view_loan")
    loan = _loan(request, pk)
    booked = loan.status in Loan.BOOKED
    rows = loan.state(timezone.localdate()).instalments if booked else loan.planned_schedule()
    if not rows:
        # Before approval (or after a rejection) there is no schedule: an empty PDF would pass for one.
        raise Http404("Hồ sơ chưa có lịch trả nợ.")
    ctx = {"org": SiteSettings.current(), "loan": loan, "rows": rows, "booked": booked, "today": timezone.localdate()}
    return pdf_response("pdf/fund/schedule.html", ctx, f"lich-tra-no-{loan.code}")


# Staff: reports and import ----------------------------------------------------------------------------------------


@login_required
def report(request: HttpRequest) -> HttpResponse:
    _require(request, "fund.view_loan")
    form = forms.ReportForm(request.GET or None)
    today = timezone.localdate()
    on, start, today_map = today, None, False
    if form.is_bound and form.is_valid():
        on = form.cleaned_data.get("ngay") or today
        start = form.cleaned_data.get("tu_ngay")
        today_map = form.cleaned_data.get("ban_do") == TODAY_MAP
    data = reports.portfolio(on, start=start, today_map=today_map) if not form.errors else reports.portfolio(today)
    fmt = request.GET.get("xuat")
    if fmt == "xlsx" and not form.errors:
        return exports.portfolio_xlsx(data)
    if fmt == "pdf" and not form.errors:
        ctx = {"org": SiteSettings.current(), "report": data}
        return pdf_response("pdf/fund/portfolio.html", ctx, f"bao-cao-quy-{on:%Y%m%d}")
    overdue = Paginator(data.overdue, 50).get_page(request.GET.get("page"))
    return render(request, "fund/report.html", {"form": form, "report": data, "page_obj": overdue})


@login_required
def import_loan_book(request: HttpRequest) -> HttpResponse:
    _require(request, "fund.add_loan")
    if request.GET.get("mau"):
        response = HttpResponse(
            loanbook.template_bytes(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="mau-so-cho-vay.xlsx"'
        return response
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = loanbook.import_loan_book(upload=BytesIO(form.cleaned_data["file"].read()), by=request.user)
            except loanbook.ImportRejected as exc:
                errors, status = exc.errors, 400
            else:
                messages.success(request, f"Đã nhập {len(created)} khoản vay.")
                return redirect("fund:loan_list")
        else:
            status = 400
    return render(request, "fund/import.html", {"form": form, "errors": errors}, status=status)


# Agencies: appraisals ---------------------------------------------------------------------------------------------


@login_required
def appraisal_list(request: HttpRequest) -> HttpResponse:
    qs = Appraisal.objects.for_user(request.user).select_related("loan__cooperative__unit", "loan__product", "agency")
    page = Paginator(qs.order_by("recommendation", "-requested_on", "id"), 25).get_page(request.GET.get("page"))
    return render(request, "fund/appraisal_list.html", {"page_obj": page})


@login_required
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_object_or_404(
        Appraisal.objects.for_user(request.user).select_related("loan__cooperative__unit", "loan__product", "agency"),
        pk=pk,
    )
    form = forms.AppraisalOpinionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.appraisal_record(appraisal=appraisal, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Đã ghi ý kiến thẩm định.")
                return redirect("fund:appraisal_list")
        status = 400
    return render(request, "fund/appraisal_detail.html", {"appraisal": appraisal, "form": form}, status=status)
