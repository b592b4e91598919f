"""The registry in the Django admin: scoped by portal.access, a fixed number of queries per changelist."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ExportMixin

from portal.admin_extract import ExtractedTextAdminMixin, reextract_action
from portal.admin_lists import DistrictFilter, LargeChangelist
from portal.admin_uploads import PrivateFileInline
from portal.formatting import money
from portal.history import HistoryAdmin
from portal.search import filter_search

from . import services
from .models import (
    PUBLIC_FIELD_CHOICES,
    Congress,
    CongressDocument,
    CongressReminder,
    Cooperative,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    Grade,
    ImportJob,
    ImprovementPlan,
    Person,
    PilotInvestment,
    PlanProgress,
    Position,
    SectorDepartment,
    SizeThreshold,
    Training,
    UnitTarget,
    YearlyFigure,
    conflict_message,
)
from .resources import CooperativeResource, GroupResource, PilotInvestmentResource
from .views import _file_response


class ScopedAdmin(admin.ModelAdmin):
    """Rows outside the user's units are not in the queryset at all (so they are a 404, not a 403)."""

    scope_path = "cooperative"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        visible = Cooperative.objects.for_user(request.user)
        return qs.filter(**{f"{self.scope_path}__in": visible})


class GradeFilter(admin.SimpleListFilter):
    title = "xếp loại năm gần nhất"
    parameter_name = "grade"

    def lookups(self, request, model_admin):
        return Grade.choices

    def queryset(self, request, queryset):
        # Only a grade it offers: anything else in the address (a NUL byte, which PostgreSQL refuses) is ignored.
        if self.value() in Grade.values:
            year = Evaluation.objects.order_by("-year").values_list("year", flat=True).first()
            return queryset.filter(evaluations__year=year, evaluations__grade=self.value())
        return queryset


class CongressOverdueFilter(admin.SimpleListFilter):
    title = "đại hội thường niên"
    parameter_name = "congress"

    def lookups(self, request, model_admin):
        return [("overdue", "Quá hạn"), ("18m", "Quá 18 tháng không đại hội")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.annual_congress_overdue(today)
        if self.value() == "18m":
            ids = [
                c.pk
                for c in queryset.prefetch_related(None).with_annual_years()
                if c.months_without_annual_congress_exceeded(today)
            ]
            return queryset.filter(pk__in=ids)
        return queryset


COOPERATIVE_FIELDSETS = [
    (None, {"fields": ["kind", "name", "short_name", "slug", "registration_code", "certificate_date", "tax_code"]}),
    (
        "Địa bàn, lĩnh vực",
        {"fields": ["unit", "address", "sector", "sub_sector", "governance_form", "charter_capital"]},
    ),
    (
        "Tình trạng",
        {"fields": ["status", "status_since", "suspended_until", "reregistered_2023", "board_term_years"]},
    ),
    (
        "Người đại diện, liên hệ",
        {
            "fields": [
                "legal_representative",
                "representative_title",
                "representative_phone",
                "representative_id_number",
                "phone",
                "email",
                "website",
            ]
        },
    ),
    ("HTX điểm", {"fields": ["is_pilot"]}),
    (
        "Tổ hợp tác (Nghị định 77/2019)",
        {"fields": ["group_leader", "cooperation_contract_date", "notified_commune", "notified_on"]},
    ),
    ("Công khai", {"fields": ["public_fields"]}),
]


class CooperativeForm(forms.ModelForm):
    public_fields = forms.MultipleChoiceField(
        label="Thông tin được công khai",
        choices=PUBLIC_FIELD_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Điện thoại cá nhân và số CCCD của người đại diện không bao giờ được công khai.",
    )
    website = forms.URLField(label="Trang web", required=False, assume_scheme="https")

    class Meta:
        model = Cooperative
        fields = [name for _title, options in COOPERATIVE_FIELDSETS for name in options["fields"]]

    def clean(self):
        cleaned = super().clean()
        # The instance takes the form's values only after clean(): judge the values typed in.
        typed = Cooperative(kind=cleaned.get("kind"), legal_representative=cleaned.get("legal_representative") or "")
        error = typed.legal_representative_error(self.instance.board_names())
        if error:
            self.add_error("legal_representative", error)
        return cleaned


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["full_name", "birth_year", "gender", "phone"]
    show_change_link = True


class YearlyFigureInline(admin.TabularInline):
    model = YearlyFigure
    extra = 0


class PilotInvestmentInline(admin.StackedInline):
    model = PilotInvestment
    extra = 0
    fields = [("year", "source", "source_detail"), "amount", "purpose", ("decision_number", "decision_date")]


class PilotFilter(admin.SimpleListFilter):
    """Pilot cooperatives: designated, or with a recorded investment (not only the stored flag)."""

    title = "HTX điểm"
    parameter_name = "pilot"

    def lookups(self, request, model_admin):
        return [("1", "Có"), ("0", "Không")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.pilots()
        if self.value() == "0":
            return queryset.exclude(pk__in=Cooperative.objects.pilots().values("pk"))
        return queryset


class CongressInline(admin.TabularInline):
    model = Congress
    extra = 0
    fields = ["kind", "fiscal_year", "planned_date", "held_date"]
    show_change_link = True


@admin.register(Cooperative)
class CooperativeAdmin(LargeChangelist, HistoryAdmin):
    form = CooperativeForm
    change_list_template = "admin/cooperatives/cooperative/change_list.html"
    list_display = ["name", "kind", "registration_code", "unit", "sector", "status", "latest_grade", "congress_flag"]
    list_filter = [DistrictFilter, "kind", "sector", "status", GradeFilter, CongressOverdueFilter, PilotFilter]
    list_select_related = ["unit"]
    list_defer = ("search_text",)
    search_fields = ["search_text"]
    search_help_text = "Tìm theo tên, mã số đăng ký, địa chỉ, địa bàn (gõ có dấu hay không dấu đều được)."
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = []
    inlines = [PersonInline, YearlyFigureInline, CongressInline, PilotInvestmentInline]
    actions = ["export_selected_xlsx"]
    fieldsets = COOPERATIVE_FIELDSETS

    def get_queryset(self, request):
        latest = Evaluation.objects.filter(cooperative=OuterRef("pk")).order_by("-year").values("grade")[:1]
        return (
            super()
            .get_queryset(request)
            .for_user(request.user)
            .annotate(latest_grade_value=Subquery(latest))
            .with_annual_years()
        )

    def get_search_results(self, request, queryset, search_term):
        return filter_search(queryset, search_term), False

    @admin.display(description="xếp loại")
    def latest_grade(self, obj):
        return Grade(obj.latest_grade_value).label if obj.latest_grade_value else "—"

    @admin.display(description="đại hội thường niên")
    def congress_flag(self, obj):
        if obj.status not in (Cooperative.Status.ACTIVE, Cooperative.Status.SUSPENDED):
            return "—"
        return "Quá hạn" if obj.is_annual_congress_overdue(timezone.localdate()) else "Đúng hạn"

    @admin.action(description="Xuất Excel các dòng đã chọn")
    def export_selected_xlsx(self, request, queryset):
        groups = queryset.filter(kind=Cooperative.Kind.GROUP)
        if groups.exists() and groups.count() == queryset.count():
            return _file_response(GroupResource().export(queryset=groups.select_related("unit")), "to-hop-tac", "xlsx")
        rest = queryset.exclude(kind=Cooperative.Kind.GROUP).select_related("unit")
        return _file_response(CooperativeResource().export(queryset=rest), "hop-tac-xa", "xlsx")


class PositionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.instance for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for index, position in enumerate(kept):
            other = position.conflicting(kept[:index])
            if other:
                raise ValidationError(conflict_message(position.post, other.post))


class PositionInline(admin.TabularInline):
    model = Position
    formset = PositionFormSet
    extra = 1


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 1


@admin.register(Person)
class PersonAdmin(LargeChangelist, ScopedAdmin, HistoryAdmin):
    list_display = ["full_name", "cooperative", "birth_year"]
    list_select_related = ["cooperative"]
    list_defer = ("search_text",)
    search_fields = ["search_text"]
    inlines = [PositionInline, TrainingInline]
    raw_id_fields = ["cooperative"]

    def get_search_results(self, request, queryset, search_term):
        return filter_search(queryset, search_term), False


class CongressDocumentInline(ExtractedTextAdminMixin, PrivateFileInline):
    model = CongressDocument
    extra = 1
    fields = ["kind", "title", "file", "download", "text_status", "text_preview"]
    readonly_fields = ["download", "text_status", "text_preview"]


@admin.register(Congress)
class CongressAdmin(LargeChangelist, ScopedAdmin, HistoryAdmin):
    list_display = ["cooperative", "kind", "fiscal_year", "planned_date", "held_date"]
    list_filter = ["kind", "fiscal_year"]
    list_select_related = ["cooperative"]
    raw_id_fields = ["cooperative"]
    inlines = [CongressDocumentInline]
    actions = [reextract_action("documents")]


@admin.register(YearlyFigure)
class YearlyFigureAdmin(LargeChangelist, ScopedAdmin, HistoryAdmin):
    list_display = [
        "cooperative",
        "year",
        "members_official",
        "members_associate",
        "workers",
        "revenue",
        "keeps_accounts",
    ]
    list_filter = ["year", "keeps_accounts"]
    list_select_related = ["cooperative"]
    raw_id_fields = ["cooperative"]


class InvestmentDistrictFilter(DistrictFilter):
    unit_path = "cooperative__unit"


@admin.register(PilotInvestment)
class PilotInvestmentAdmin(LargeChangelist, ScopedAdmin, ExportMixin, HistoryAdmin):
    """Investments in pilot cooperatives; the changelist shows the total of the rows its filters select."""

    resource_classes = [PilotInvestmentResource]
    change_list_template = "admin/cooperatives/pilotinvestment/change_list.html"
    list_display = ["cooperative", "year", "source", "amount_display", "purpose_short", "decision_number"]
    list_filter = ["year", "source", InvestmentDistrictFilter]
    list_select_related = ["cooperative"]
    search_fields = ["cooperative__name", "purpose", "decision_number", "source_detail"]
    raw_id_fields = ["cooperative"]

    @admin.display(description="số tiền", ordering="amount")
    def amount_display(self, obj):
        return money(obj.amount)

    @admin.display(description="nội dung đầu tư")
    def purpose_short(self, obj):
        return obj.purpose if len(obj.purpose) <= 80 else obj.purpose[:79] + "…"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if changelist:
            total = changelist.queryset.aggregate(total=Sum("amount"))["total"] or 0
            response.context_data["filtered_total"] = money(total)
            response.context_data["filtered_count"] = changelist.result_count
        return response


class EvaluationScoreInline(admin.TabularInline):
    model = EvaluationScore
    extra = 0


class ImprovementPlanInline(admin.StackedInline):
    model = ImprovementPlan
    extra = 0
    show_change_link = True


@admin.register(Evaluation)
class EvaluationAdmin(LargeChangelist, ScopedAdmin, HistoryAdmin):
    list_display = ["cooperative", "year", "total_score", "grade", "not_graded_reason"]
    list_filter = ["year", "grade"]
    list_select_related = ["cooperative"]
    raw_id_fields = ["cooperative"]
    readonly_fields = ["total_score", "grade", "not_graded_reason"]
    inlines = [EvaluationScoreInline, ImprovementPlanInline]

    def save_related(self, request, form, formsets, change):
        # The scores are saved by the inline; the total and the grade are the service's to derive from them.
        super().save_related(request, form, formsets, change)
        services.evaluation_grade(evaluation=form.instance)


class PlanProgressInline(admin.TabularInline):
    model = PlanProgress
    extra = 1


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(ScopedAdmin):
    scope_path = "evaluation__cooperative"
    list_display = ["title", "evaluation", "deadline"]
    list_select_related = ["evaluation__cooperative"]
    raw_id_fields = ["evaluation"]
    inlines = [PlanProgressInline]


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "max_points", "order", "is_active"]
    list_editable = ["max_points", "order", "is_active"]


@admin.register(SizeThreshold)
class SizeThresholdAdmin(HistoryAdmin):
    """A changed threshold is a new row from its date: the old one keeps classifying the years before it."""

    list_display = [
        "sector_group",
        "size_class",
        "min_members",
        "min_revenue",
        "min_capital",
        "valid_from",
        "legal_source",
    ]
    list_filter = ["sector_group", "valid_from"]


@admin.register(SectorDepartment)
class SectorDepartmentAdmin(admin.ModelAdmin):
    list_display = ["sector", "agency"]
    list_filter = ["sector"]
    list_select_related = ["agency"]


@admin.register(UnitTarget)
class UnitTargetAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "new_cooperatives"]
    list_filter = ["year"]
    list_select_related = ["unit"]


@admin.register(CongressReminder)
class CongressReminderAdmin(ScopedAdmin):
    list_display = ["cooperative", "congress_kind", "due_date", "stage", "sent_at", "recipients"]
    list_filter = ["stage", "congress_kind"]
    list_select_related = ["cooperative"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "resource", "status", "total_rows", "seconds", "created_by", "created_at"]
    list_filter = ["status", "resource"]
    list_select_related = ["created_by"]
    # The uploaded file is private: shown as a link to our permission-checked view, never its storage URL.
    fields = [f.name for f in ImportJob._meta.fields if f.name not in ("id", "file")] + ["download"]
    readonly_fields = fields

    @admin.display(description="tệp")
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_file_url(), obj.original_name)

    def has_add_permission(self, request):
        return False
