from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.utils.html import format_html

from portal.access import user_scope
from portal.admin_extract import ExtractedTextAdminMixin, reextract_action
from portal.admin_lists import LargeChangelist, year_filter
from portal.admin_uploads import PrivateFileInline
from portal.forms import SafeRelationsAdminMixin
from portal.history import HistoryAdmin
from portal.models import Agency
from portal.tasks import publish_on_commit

from . import indicators, services, tasks
from .models import (
    Document,
    DocumentFile,
    DocumentRelation,
    Reminder,
    Report,
    ReportFile,
    ReportRequest,
    ReportTransition,
    ReportValue,
    Task,
    TaskAssignment,
)


class ScopedAdminMixin:
    """Non-superusers without province-wide scope see only their agency's rows (another agency's row is a 404)."""

    agency_path = "agency"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = user_scope(request.user)
        if request.user.is_superuser or scope.everything:
            return qs
        return qs.filter(**{f"{self.agency_path}__in": scope.agency_ids})

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of scope and missing look the same: a 404, as everywhere else in the portal.
        raise Http404("Không tìm thấy.")


class SignatureColumn:
    """The verdict of a file's signature check, as a read-only column of the file inlines."""

    @admin.display(description="chữ ký số")
    def signature_check(self, obj):
        return signature_summary(obj)


def signature_summary(obj) -> str:
    if not obj.pk or not obj.signature_state:
        return "—"
    report = obj.signature
    if report is None:
        return obj.get_signature_state_display()
    signers = ", ".join(s.signer for s in report.signatures if s.signer)
    return f"{report.verdict}" + (f" ({signers})" if signers else "")


def _recheck(request, files, message_user):
    count = 0
    for kind, item in files:
        publish_on_commit(tasks.check_file_signature, kind, item.pk)
        count += 1
    message_user(request, f"Đã đưa {count} tệp PDF vào hàng đợi kiểm tra chữ ký số.", messages.SUCCESS)


class DocumentFileInline(ExtractedTextAdminMixin, SignatureColumn, PrivateFileInline):
    model = DocumentFile
    extra = 1
    fields = ["file", "original_name", "size", "download", "signature_check", "text_status", "text_preview"]
    readonly_fields = ["size", "download", "signature_check", "text_status", "text_preview"]


class DocumentRelationInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = DocumentRelation
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]


class TaskInlineForm(forms.ModelForm):
    all_districts = forms.BooleanField(label="Giao cho UBND 7 huyện, thị xã, thành phố", required=False)

    class Meta:
        model = Task
        fields = ["order", "text", "lead_agency", "deadline", "cycle", "progress_public", "all_districts"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class TaskInline(admin.StackedInline):
    """Staff split a directive into tasks right on the document page."""

    model = Task
    form = TaskInlineForm
    extra = 0


@admin.register(Document)
class DocumentAdmin(LargeChangelist, SafeRelationsAdminMixin, HistoryAdmin):
    list_display = ["number", "doc_type", "issuer", "issue_date", "status", "is_public"]
    # A year filter, not date_hierarchy: that ran a DISTINCT over every document's date on each page.
    list_filter = ["doc_type", year_filter("issue_date", "năm ban hành"), "status", "is_public", "field"]
    list_defer = ("full_text", "search_text")
    search_fields = ["search_text", "number"]
    prepopulated_fields = {"slug": ["number"]}
    autocomplete_fields = ["replaced_by"]
    inlines = [DocumentFileInline, DocumentRelationInline, TaskInline]
    actions = [reextract_action("files"), "recheck_signatures"]

    @admin.action(description="Kiểm tra lại chữ ký số")
    def recheck_signatures(self, request, queryset):
        files = DocumentFile.objects.filter(document__in=queryset, file__iendswith=".pdf")
        _recheck(request, [("document", item) for item in files], self.message_user)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Task:
            for task_form in formset.forms:
                task = task_form.instance
                if not task.pk or task_form in formset.deleted_forms:
                    continue
                if task_form.cleaned_data.get("all_districts"):
                    services.task_assign_all_districts(task=task)
                elif task.lead_agency_id:
                    services.task_assign(task=task, agencies=[])


class TaskAssignmentInline(SafeRelationsAdminMixin, admin.TabularInline):
    model = TaskAssignment
    extra = 0
    fields = ["agency", "role", "completed_on", "extended_deadline", "extension_reason", "progress_note"]
    autocomplete_fields = ["agency"]


@admin.register(Task)
class TaskAdmin(LargeChangelist, SafeRelationsAdminMixin, HistoryAdmin):
    list_display = ["__str__", "short_text", "lead_agency", "deadline_label", "progress_public"]
    list_select_related = ["document", "lead_agency"]
    list_filter = ["progress_public", "cycle"]
    search_fields = ["text", "document__number"]
    autocomplete_fields = ["document", "lead_agency"]
    inlines = [TaskAssignmentInline]
    actions = ["assign_all_districts"]

    @admin.display(description="nội dung")
    def short_text(self, obj):
        return obj.text[:90]

    @admin.display(description="thời hạn")
    def deadline_label(self, obj):
        return obj.deadline_label

    @admin.action(description="Giao cho UBND tất cả các huyện, thị xã, thành phố")
    def assign_all_districts(self, request, queryset):
        created = sum(services.task_assign_all_districts(task=task) for task in queryset)
        self.message_user(request, f"Đã giao thêm {created} phân công.", messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.task_assign(task=form.instance, agencies=[])


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(LargeChangelist, SafeRelationsAdminMixin, ScopedAdminMixin, HistoryAdmin):
    list_display = ["task", "agency", "role", "status_display", "completed_on", "extended_deadline"]
    list_select_related = ["task__document", "agency"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["agency__name", "task__text", "task__document__number"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["task"]

    @admin.display(description="trạng thái")
    def status_display(self, obj):
        return obj.status_label()


class RequestForm(forms.ModelForm):
    indicator_codes = forms.MultipleChoiceField(
        label="Chỉ tiêu", required=False, widget=forms.CheckboxSelectMultiple, choices=indicators.choices
    )
    progress_code = forms.ChoiceField(
        label="Chỉ tiêu tiến độ",
        required=False,
        choices=lambda: [("", "— (báo cáo được chấp nhận là hoàn thành)"), *indicators.percent_choices()],
        help_text=ReportRequest._meta.get_field("progress_code").help_text,
    )
    all_communes = forms.BooleanField(
        label="Gửi cho UBND tất cả xã, phường, đặc khu",
        required=False,
        help_text="Thêm vào danh sách cơ quan được yêu cầu mọi UBND cấp xã đang hoạt động.",
    )

    def clean_agencies(self):
        """A retired agency's work went to its successor: a request newly sent to it is refused, naming the
        successor; one it already had (its closed work) stays."""
        agencies = self.cleaned_data["agencies"]
        had = set(self.instance.agencies.values_list("pk", flat=True)) if self.instance.pk else set()
        retired = [a for a in agencies if not a.is_active and a.pk not in had]
        if retired:
            names = "; ".join(f"{a.name} (hãy chọn {a.successor.name})" if a.successor_id else a.name for a in retired)
            raise forms.ValidationError(f"Cơ quan đã ngừng hoạt động: {names}.")
        return agencies

    class Meta:
        model = ReportRequest
        fields = [
            "title",
            "kind",
            "task",
            "period_start",
            "period_end",
            "deadline",
            "agencies",
            "all_communes",
            "sections",
            "indicator_codes",
            "progress_code",
            "instructions",
        ]


@admin.register(ReportRequest)
class ReportRequestAdmin(LargeChangelist, SafeRelationsAdminMixin, HistoryAdmin):
    form = RequestForm
    list_display = ["title", "kind", "period_start", "period_end", "deadline"]
    list_filter = ["kind"]
    search_fields = ["title"]
    filter_horizontal = ["agencies"]
    raw_id_fields = ["task"]
    date_hierarchy = "deadline"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = user_scope(request.user)
        if request.user.is_superuser or scope.everything:
            return qs
        return qs.filter(agencies__in=scope.agency_ids).distinct()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("all_communes"):
            form.instance.agencies.add(*Agency.objects.filter(kind=Agency.Kind.COMMUNE_PC, is_active=True))


class ReportValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    readonly_fields = ["code", "prefilled"]
    fields = ["code", "prefilled", "value"]


class ReportTransitionInline(admin.TabularInline):
    model = ReportTransition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "by", "at", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


class ReportFileInline(ExtractedTextAdminMixin, SignatureColumn, admin.TabularInline):
    model = ReportFile
    extra = 0
    readonly_fields = [
        "original_name",
        "size",
        "signature_check",
        "uploaded_by",
        "uploaded_at",
        "text_status",
        "text_preview",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(LargeChangelist, ScopedAdminMixin, HistoryAdmin):
    """Staff read reports here and accept or return them with the actions (or on /bao-cao/so/<id>/)."""

    list_display = ["request", "agency", "state", "first_submitted_at", "updated_at"]
    list_select_related = ["request", "agency"]
    list_filter = ["state", "request"]
    search_fields = ["agency__name", "request__title"]
    readonly_fields = ["request", "agency", "state", "version", "first_submitted_at", "submitted_at", "last_comment"]
    exclude = ["updated_by"]
    inlines = [ReportValueInline, ReportFileInline, ReportTransitionInline]
    actions = ["accept_selected", "recheck_signatures"]

    @admin.action(description="Kiểm tra lại chữ ký số")
    def recheck_signatures(self, request, queryset):
        files = ReportFile.objects.filter(report__in=queryset, file__iendswith=".pdf")
        _recheck(request, [("report", item) for item in files], self.message_user)

    @admin.action(description="Chấp nhận các báo cáo đã gửi được chọn")
    def accept_selected(self, request, queryset):
        done = 0
        for report in queryset.filter(state=Report.State.SUBMITTED):
            services.report_transition(report=report, action=Report.Action.ACCEPT, by=request.user)
            done += 1
        self.message_user(request, f"Đã chấp nhận {done} báo cáo.", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)


@admin.register(ReportFile)
class ReportFileAdmin(ExtractedTextAdminMixin, LargeChangelist, ScopedAdminMixin, HistoryAdmin):
    agency_path = "report__agency"
    list_display = ["original_name", "report", "size", "uploaded_at", "text_status"]
    list_select_related = ["report__request", "report__agency"]
    list_defer = ("text",)
    list_filter = ["text_state"]
    fields = ["report", "download", "size", "uploaded_by", "text_status", "text_preview"]
    readonly_fields = ["report", "download", "size", "uploaded_by", "text_status", "text_preview"]
    actions = [reextract_action()]

    @admin.display(description="tệp")
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


@admin.register(Reminder)
class ReminderAdmin(LargeChangelist, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "agency", "key", "created_at"]
    list_select_related = ["agency"]
    list_filter = ["agency__kind"]  # not one link per agency (200 at scale)
    readonly_fields = ["agency", "key", "subject", "body", "link", "created_at"]
