"""Fund staff manage products, capital, plans, borrowers and applications here; the workflow steps that move
money (approve, disburse, repay, reverse, restructure, write off) go through the loan's page, which calls the
services, so the admin never edits a loan's status or its money directly."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from portal.admin_extract import ExtractedTextAdminMixin
from portal.admin_lists import DistrictFilter, LargeChangelist, year_filter
from portal.admin_uploads import PrivateFileInline
from portal.forms import SafeRelationsAdminMixin
from portal.history import HistoryAdmin

from . import services
from .models import (
    Appraisal,
    Disbursement,
    DisbursementPlan,
    FundCapital,
    FundThreshold,
    Loan,
    LoanDocument,
    LoanEvent,
    LoanProduct,
    LoanSnapshot,
    MemberBorrower,
    Payment,
    RelatedCooperative,
)
from .resources import LoanProductResource, LoanResource


@admin.register(FundCapital)
class FundCapitalAdmin(HistoryAdmin):
    list_display = ["effective_from", "amount", "note"]
    date_hierarchy = "effective_from"


@admin.register(FundThreshold)
class FundThresholdAdmin(HistoryAdmin):
    """A changed figure is a new row from its date, so figures for earlier dates keep the values then in force."""

    list_display = ["key", "value", "valid_from", "legal_source"]
    list_filter = ["key"]
    date_hierarchy = "valid_from"


@admin.register(DisbursementPlan)
class DisbursementPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "amount"]


@admin.register(LoanProduct)
class LoanProductAdmin(ImportExportMixin, HistoryAdmin):
    resource_classes = [LoanProductResource]
    import_formats = [XLSX, CSV]
    list_display = [
        "name",
        "code",
        "max_amount",
        "max_term_months",
        "annual_rate",
        "day_count",
        "frequency",
        "amortization",
        "is_active",
    ]
    list_filter = ["is_active", "frequency", "amortization", "rate_method", "day_count"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}

    def process_result(self, result, request):
        """A file that passed the check but failed while writing (the database refused a row) was rolled back
        whole; import-export would still log every row as added and say the import finished."""
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        rows = ", ".join(str(number + 1) for number, _ in result.row_errors()) or "?"
        self.message_user(
            request,
            f"Không nhập được tệp: dòng {rows} bị cơ sở dữ liệu từ chối nên không có dữ liệu nào được ghi. "
            "Hãy kiểm tra tệp rồi thử lại.",
            messages.ERROR,
        )
        return redirect("admin:fund_loanproduct_import")


@admin.register(MemberBorrower)
class MemberBorrowerAdmin(LargeChangelist, SafeRelationsAdminMixin, HistoryAdmin):
    list_display = ["full_name", "cooperative"]
    list_select_related = ["cooperative"]
    search_fields = ["full_name", "id_number", "cooperative__name"]
    autocomplete_fields = ["cooperative"]


@admin.register(RelatedCooperative)
class RelatedCooperativeAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["cooperative", "related", "reason"]
    list_select_related = ["cooperative", "related"]
    autocomplete_fields = ["cooperative", "related"]


class DocumentInline(ExtractedTextAdminMixin, PrivateFileInline):
    model = LoanDocument
    extra = 0
    fields = ["title", "file", "download", "text_status", "text_preview"]
    readonly_fields = ["download", "text_status", "text_preview"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AppraisalInline(ReadOnlyInline):
    model = Appraisal
    fields = ["agency", "requested_on", "recommendation", "opinion", "recorded_by", "recorded_at"]
    readonly_fields = fields


class DisbursementInline(ReadOnlyInline):
    model = Disbursement
    fields = ["disbursed_on", "amount", "by", "note"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["paid_on", "amount", "by", "reversed", "reversal_reason"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = LoanEvent
    fields = ["on", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


class LoanDistrictFilter(DistrictFilter):
    unit_path = "cooperative__unit"


@admin.register(Loan)
class LoanAdmin(LargeChangelist, SafeRelationsAdminMixin, ExportMixin, HistoryAdmin):
    resource_classes = [LoanResource]
    list_display = ["code", "borrower", "product", "status", "requested_amount", "approved_amount", "received_on"]
    list_filter = ["status", "product", LoanDistrictFilter, year_filter("received_on", "năm tiếp nhận")]
    list_select_related = ["product", "cooperative", "member"]
    list_defer = ("search_text",)
    search_fields = ["search_text", "code", "contract_number"]
    autocomplete_fields = ["cooperative", "member"]
    inlines = [DocumentInline, AppraisalInline, DisbursementInline, PaymentInline, EventInline]
    readonly_fields = ["status", "staff_page", "eligibility"]
    fieldsets = [
        (None, {"fields": ["code", "status", "staff_page"]}),
        (
            "Bên vay và dự án",
            {
                "fields": [
                    "product",
                    "cooperative",
                    "member",
                    "project_name",
                    "purpose",
                    "total_cost",
                    "own_contribution",
                    "requested_amount",
                    "requested_term_months",
                    "collateral",
                    "received_on",
                ]
            },
        ),
        ("Điều kiện vay vốn", {"fields": ["eligibility"]}),
    ]

    @admin.display(description="Bên vay")
    def borrower(self, obj):
        return obj.borrower_name

    @admin.display(description="Trang xử lý hồ sơ")
    def staff_page(self, obj):
        if not obj.pk:
            return "Lưu hồ sơ trước."
        return format_html('<a href="{}">Mở trang xử lý, lịch trả nợ, trả nợ</a>', obj.get_absolute_url())

    @admin.display(description="Kết quả kiểm tra")
    def eligibility(self, obj):
        if not obj.pk:
            return "—"
        checks = services.loan_eligibility(loan=obj, on=timezone.localdate())
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} <strong>{}</strong>: {}</li>",
                (("✔" if c.passed else "✘", c.label, c.reason) for c in checks),
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.loan_receive(loan=obj, by=request.user)


@admin.register(LoanSnapshot)
class LoanSnapshotAdmin(LargeChangelist, admin.ModelAdmin):
    # One row per loan per night: no date_hierarchy (a DISTINCT over every date); "on" filters by recent periods.
    list_display = ["loan", "on", "outstanding_principal", "days_past_due", "debt_group", "provision"]
    list_filter = ["on", "debt_group"]
    list_select_related = ["loan__cooperative", "loan__member"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
