import base64
import io
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from openpyxl import Workbook

from . import keystore
from .account_lock import login_unlock
from .agencychanges import agency_change_check, agency_change_record
from .certificates import CertificateError, certificate_pem, common_name, fingerprint, read_ca_certificate
from .exports import safe_row
from .forms import SafeRelationsAdminMixin
from .history import HistoryAdmin
from .models import (
    AdministrativeUnit,
    Agency,
    AgencyChange,
    AgencyMove,
    IssuedDocument,
    RegisterCounter,
    SecurityEvent,
    Signatory,
    SigningCertificate,
    SiteSettings,
    TrustedRoot,
    UnitChange,
    UnitMapping,
    User,
)
from .official import issued_render_again, issued_visible_to
from .security import client_ip
from .signing import certificate_store
from .unitchanges import unit_change_apply, unit_change_check
from .unitmap import mapping_apply, mapping_propose, mapping_read, mapping_sheet_rows
from .uploads import UploadField


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "successors"]


class UnitChangeForm(forms.ModelForm):
    class Meta:
        model = UnitChange
        fields = ["kind", "effective_on", "legal_source", "before", "after"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            unit_change_check(
                kind=data.get("kind"),
                before=data.get("before") or [],
                after=data.get("after") or [],
                effective_on=data.get("effective_on"),
                legal_source=data.get("legal_source") or "",
            )
        return data


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    """A merge or split is recorded once, with its effects on the units (portal.unitchanges), and kept as history."""

    form = UnitChangeForm
    list_display = ["effective_on", "kind", "legal_source", "recorded_by"]
    list_filter = ["kind", "effective_on"]
    search_fields = ["legal_source", "before__name", "after__name"]
    autocomplete_fields = ["before", "after"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        unit_change_apply(form.instance)


class AgencyChangeForm(forms.ModelForm):
    class Meta:
        model = AgencyChange
        fields = ["kind", "effective_on", "legal_source", "before", "after"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            agency_change_check(
                kind=data.get("kind"),
                before=data.get("before") or [],
                after=data.get("after"),
                effective_on=data.get("effective_on"),
                legal_source=data.get("legal_source") or "",
            )
        return data


class AgencyMoveInline(admin.TabularInline):
    model = AgencyMove
    extra = 0
    fields = ["what", "label", "from_agency", "to_agency", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AgencyChange)
class AgencyChangeAdmin(admin.ModelAdmin):
    """A merge of agencies is recorded once (portal.agencychanges): the agencies before it retire, their accounts and
    open work move to the successor, and the page of the change lists every move."""

    form = AgencyChangeForm
    list_display = ["effective_on", "kind", "after", "legal_source", "recorded_by"]
    list_select_related = ["after", "recorded_by"]
    list_filter = ["kind", "effective_on"]
    search_fields = ["legal_source", "before__name", "after__name"]
    autocomplete_fields = ["before", "after"]
    inlines = [AgencyMoveInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        recorded = agency_change_record(
            kind=data["kind"],
            before=data["before"],
            after=data["after"],
            effective_on=data["effective_on"],
            legal_source=data["legal_source"],
            by=request.user,
        )
        obj.pk = recorded.pk
        obj.recorded_by = request.user

    def save_related(self, request, form, formsets, change):
        """agency_change_record set the agencies before the change along with everything else."""


class MappingImportForm(forms.Form):
    file = UploadField(accepts="imports", label="Bảng chuyển đổi (.xlsx hoặc .csv)")


@admin.register(UnitMapping)
class UnitMappingAdmin(SafeRelationsAdminMixin, HistoryAdmin):
    """Old commune -> today's commune (portal.unitmap): proposed from the conversion table, corrected by staff from a
    spreadsheet (checked whole first, then applied whole) or one row at a time; every change keeps its history."""

    list_display = ["old_unit", "old_district", "new_unit", "source", "note", "updated_at"]
    list_select_related = ["old_unit__parent", "new_unit"]
    list_filter = ["source"]
    search_fields = ["old_unit__name", "old_unit__code", "new_unit__name", "new_unit__code", "old_unit__parent__name"]
    autocomplete_fields = ["old_unit", "new_unit"]
    fields = ["old_unit", "new_unit", "note"]
    change_list_template = "admin/portal/unitmapping/change_list.html"

    @admin.display(description="huyện cũ", ordering="old_unit__parent__name")
    def old_district(self, obj):
        return obj.old_unit.parent.name if obj.old_unit.parent_id else ""

    def save_model(self, request, obj, form, change):
        obj.source = UnitMapping.Source.MANUAL
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        stem = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("nhap/", self.admin_site.admin_view(self.import_view), name=f"{stem}_import"),
            path("xuat.xlsx", self.admin_site.admin_view(self.export_view), name=f"{stem}_sheet"),
            path("goi-y/", self.admin_site.admin_view(self.propose_view), name=f"{stem}_propose"),
            *super().get_urls(),
        ]

    def _may_add(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        book = Workbook()
        sheet = book.active
        sheet.title = "Chuyển đổi địa bàn"
        for row in mapping_sheet_rows():
            sheet.append(safe_row(row))
        stream = io.BytesIO()
        book.save(stream)
        response = HttpResponse(
            stream.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="chuyen-doi-dia-ban.xlsx"'
        return response

    def propose_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._may_add(request)
        result = mapping_propose(by=request.user)
        messages.info(request, result.summary())
        return redirect("admin:portal_unitmapping_changelist")

    def import_view(self, request):
        """Upload: the sheet is checked whole and nothing is written; the page lists what each row would do, or
        names every bad row by the sheet's row number. Confirm: the same file (carried signed in the page) is checked
        again and applied whole."""
        self._may_add(request)
        ctx = {**self.admin_site.each_context(request), "opts": self.opts, "title": "Nhập bảng chuyển đổi địa bàn"}
        form = MappingImportForm()
        if request.method == "POST" and "token" in request.POST:
            try:
                carried = signing.loads(request.POST["token"], salt="unitmap-import", max_age=3600)
            except signing.BadSignature:
                messages.error(request, "Phiên kiểm tra đã hết hạn hoặc không hợp lệ: hãy gửi lại tệp.")
                return redirect("admin:portal_unitmapping_import")
            check = mapping_read(base64.b64decode(carried["content"]), carried["name"])
            if check.ok:
                counts = mapping_apply(check, by=request.user)
                messages.success(
                    request,
                    f"Đã nhập: {counts['new']} dòng mới, {counts['changed']} dòng sửa, "
                    f"{counts['same']} dòng không đổi.",
                )
                return redirect("admin:portal_unitmapping_changelist")
            ctx["check"] = check
        elif request.method == "POST":
            form = MappingImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                check = mapping_read(content, upload.name)
                ctx["check"] = check
                if check.ok:
                    ctx["token"] = signing.dumps(
                        {"name": upload.name, "content": base64.b64encode(content).decode()},
                        salt="unitmap-import",
                        compress=True,
                    )
        ctx["form"] = form
        return render(request, "admin/portal/unitmapping/import.html", ctx)


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["full_name", "title", "is_head", "is_active"]


@admin.register(Agency)
class AgencyAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "unit", "is_active", "successor"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["unit", "successor"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["valid_to", "successor"]  # set by a recorded change of agencies (portal.agencychanges)
    inlines = [SignatoryInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "unit", "email", "is_active", "valid_to", "successor"]}),
        (
            "Thể thức văn bản đi (Nghị định 30/2020/NĐ-CP)",
            {
                "fields": [
                    "governing_body",
                    "letterhead_name",
                    "doc_code",
                    "place_name",
                    "collective_name",
                    "head_title",
                ]
            },
        ),
    ]


class LoginLockedFilter(admin.SimpleListFilter):
    title = "khóa đăng nhập"
    parameter_name = "khoa_dang_nhap"

    def lookups(self, request, model_admin):
        return [("co", "Đang bị khóa"), ("khong", "Không bị khóa")]

    def queryset(self, request, queryset):
        if self.value() == "co":
            return queryset.filter(login_locked_at__isnull=False)
        if self.value() == "khong":
            return queryset.filter(login_locked_at__isnull=True)
        return queryset


class PortalUserChangeForm(UserChangeForm):
    unlock_login_on_save = forms.BooleanField(
        label="Mở khóa đăng nhập",
        required=False,
        help_text="Đánh dấu rồi bấm Lưu để mở khóa tài khoản bị khóa vì quá nhiều lần đăng nhập sai.",
    )


@admin.register(User)
class UserAdmin(SafeRelationsAdminMixin, BaseUserAdmin):
    form = PortalUserChangeForm
    list_display = ["username", "first_name", "last_name", "agency", "is_staff", "is_active", "login_locked"]
    list_filter = [LoginLockedFilter, "is_staff", "is_active", "groups", "agency__kind"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    actions = ["unlock_login"]
    readonly_fields = ["login_locked_at", "login_lock_notified"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Cơ quan công tác", {"fields": ("agency", "phone")}),
        ("Khóa đăng nhập", {"fields": ("login_locked_at", "login_lock_notified", "unlock_login_on_save")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Cơ quan công tác", {"fields": ("agency",)}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A read-only view shows the lock, not the form's unlock box (it is no field of the model).
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "unlock_login_on_save"]})
            for name, options in fieldsets
        ]

    @admin.display(description="Khóa đăng nhập", boolean=True, ordering="login_locked_at")
    def login_locked(self, obj):
        return obj.login_locked_at is not None

    @admin.action(description="Mở khóa đăng nhập", permissions=["change"])
    def unlock_login(self, request, queryset):
        unlocked = sum(
            login_unlock(user=user, by=request.user, ip_address=client_ip(request))
            for user in queryset.filter(login_locked_at__isnull=False)
        )
        self.message_user(request, f"Đã mở khóa đăng nhập cho {unlocked} tài khoản.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.cleaned_data.get("unlock_login_on_save"):
            if login_unlock(user=obj, by=request.user, ip_address=client_ip(request)):
                self.message_user(request, f"Đã mở khóa đăng nhập cho tài khoản {obj.username}.", messages.SUCCESS)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["org_name", "responsible_person", "phone"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


# --- security log: read-only ---------------------------------------------------------------------------


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "ip_address", "path"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "ip_address", "path"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the register of outgoing documents (sổ đăng ký văn bản đi): read-only, never deleted ----------------------------


class ReadOnlyAdminMixin:
    """Rows written by the portal alone: no add, no change, no delete (a number once given stays taken)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


REFERENCE = re.compile(r"^\s*(\d{1,6})\s*(?:/\s*(\S+))?\s*$")


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference_shown",
        "agency_shown",
        "kind",
        "subject",
        "issued_on",
        "issued_by",
        "is_signed",
        "file_links",
    ]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter), "year", "kind"]
    actions = ["render_again"]
    list_select_related = ["agency", "issued_by"]
    search_fields = ["subject", "symbol"]
    date_hierarchy = "issued_on"
    list_per_page = 50
    fields = [
        "reference_shown",
        "agency",
        "kind",
        "issued_on",
        "place",
        "governing_body",
        "issuer_name",
        "subject",
        "addressees",
        "signature",
        "recipients",
        "issued_by",
        "issued_at",
        "signed_at",
        "signed_by",
        "replaces",
        "file_links",
        "render_error",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk__in=issued_visible_to(request.user).values("pk"))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("Không tìm thấy.")  # out of scope and missing look the same

    def get_search_results(self, request, queryset, search_term):
        """A number ("5", "05/BC-UBND") finds its document besides the words of the subject and the symbol."""
        qs, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = REFERENCE.match(search_term or "")
        if match:
            wanted = Q(number=int(match[1]))
            if match[2]:
                wanted &= Q(symbol__iexact=match[2])
            qs = qs | queryset.filter(wanted)
        return qs, may_have_duplicates

    @admin.display(description="Số, ký hiệu", ordering="number")
    def reference_shown(self, obj):
        return format_html('<span style="white-space: nowrap">{}</span>', obj.reference)

    @admin.display(description="Cơ quan ban hành", ordering="agency__name")
    def agency_shown(self, obj):
        return obj.agency.short_name or obj.agency.name

    @admin.display(description="Đã ký số", boolean=True, ordering="signed_at")
    def is_signed(self, obj):
        return bool(obj.signed_pdf)

    @admin.display(description="Tệp")
    def file_links(self, obj):
        if not obj.current_file:
            return "Lỗi tạo bản PDF" if obj.render_error else "Đang tạo bản PDF"
        url = reverse("official:issued_file", args=[obj.pk])
        link = '<a href="{}?xem=1" target="_blank" rel="noopener">Xem</a> · <a href="{}">Tải về</a>'
        return format_html(link, url, url)

    @admin.action(description="Tạo lại bản PDF (văn bản chưa có bản PDF)", permissions=["render_again"])
    def render_again(self, request, queryset):
        """The selected documents still without a PDF go to the worker again (portal.official.issued_render_again);
        what was issued with its PDF is never re-rendered."""
        selected = list(queryset.values_list("pk", flat=True))
        handed = issued_render_again(selected)
        kept = len(selected) - handed
        note = f" {kept} văn bản đã có bản PDF được giữ nguyên." if kept else ""
        self.message_user(request, f"Đã xếp {handed} văn bản vào hàng đợi tạo bản PDF.{note}", messages.SUCCESS)

    def has_render_again_permission(self, request):
        return request.user.is_superuser or request.user.has_perm("portal.view_issueddocument")


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "year", "last_number"]
    list_filter = ["year"]
    list_select_related = ["agency"]
    search_fields = ["agency__name"]
    fields = ["agency", "year", "last_number"]
    readonly_fields = fields


class TrustedRootForm(forms.ModelForm):
    certificate_file = forms.FileField(
        label="tệp chứng thư gốc",
        required=False,
        help_text="Tệp .cer, .crt hoặc .pem (dạng DER hoặc PEM) của tổ chức cung cấp dịch vụ chứng thực (CA).",
    )

    class Meta:
        model = TrustedRoot
        fields = ["name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = "Để trống để dùng tên trong chứng thư."

    def clean_certificate_file(self):
        upload = self.cleaned_data.get("certificate_file")
        if upload is None:
            if not self.instance.pk:
                raise forms.ValidationError("Hãy chọn tệp chứng thư gốc.")
            return None
        if upload.size > 64 * 1024:
            raise forms.ValidationError("Tệp quá lớn để là một chứng thư (tối đa 64 KB).")
        try:
            certificate = read_ca_certificate(upload.read())
        except CertificateError as exc:
            raise forms.ValidationError(str(exc)) from None
        if TrustedRoot.objects.exclude(pk=self.instance.pk).filter(fingerprint=fingerprint(certificate)).exists():
            raise forms.ValidationError("Chứng thư gốc này đã có trong danh sách.")
        return certificate

    def save(self, commit=True):
        certificate = self.cleaned_data.get("certificate_file")
        if certificate is not None:
            self.instance.certificate_pem = certificate_pem(certificate)
            self.instance.name = self.instance.name or common_name(certificate)
        return super().save(commit)


# --- digital signatures: the agencies' certificates and the trusted roots --------------------------------------


class SigningCertificateAddForm(forms.ModelForm):
    """Upload of an agency's PKCS#12 with its passphrase: the file must open with it, carry a signing key and a
    certificate valid now. The passphrase is used for the check and forgotten (portal.signing.certificate_store)."""

    file = UploadField(accepts="pkcs12", label="Tệp chứng thư số (.p12, .pfx)")
    passphrase = forms.CharField(
        label="Mật khẩu chứng thư số",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Chỉ dùng để kiểm tra tệp; không được lưu. Cán bộ nhập lại mật khẩu này mỗi lần ký.",
    )

    class Meta:
        model = SigningCertificate
        fields = ["agency", "label"]

    @method_decorator(sensitive_variables())
    def clean(self):
        cleaned = super().clean()
        upload, passphrase = cleaned.get("file"), cleaned.get("passphrase")
        if upload and passphrase is not None:
            upload.seek(0)
            self.pkcs12_data = upload.read()
            try:
                keystore.check_pkcs12(self.pkcs12_data, passphrase)
            except ValidationError as exc:
                self.add_error("file", exc)
        return cleaned


@admin.register(SigningCertificate)
class SigningCertificateAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["label", "agency", "subject_cn", "not_before", "not_after", "validity", "fingerprint", "is_active"]
    list_filter = ["is_active", "agency__kind"]
    list_select_related = ["agency"]
    search_fields = ["label", "subject_cn", "agency__name", "fingerprint"]
    autocomplete_fields = ["agency"]
    readonly_fields = [
        "agency",
        "subject_cn",
        "subject_o",
        "serial",
        "issuer",
        "not_before",
        "not_after",
        "fingerprint",
        "uploaded_by",
        "uploaded_at",
    ]

    @admin.display(description="Còn hiệu lực", boolean=True)
    def validity(self, obj):
        return obj.is_valid_at(timezone.now())

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SigningCertificateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["agency", "label", "file", "passphrase"]
        return ["label", "is_active", *self.readonly_fields]

    @method_decorator(sensitive_post_parameters("passphrase"))
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @method_decorator(sensitive_variables())
    def save_model(self, request, obj, form, change):
        if change:
            with transaction.atomic():  # one active certificate per agency: the one switched on retires the other
                if obj.is_active:
                    SigningCertificate.objects.filter(agency=obj.agency_id, is_active=True).exclude(pk=obj.pk).update(
                        is_active=False
                    )
                return super().save_model(request, obj, form, change)
        stored = certificate_store(
            agency=obj.agency,
            data=form.pkcs12_data,
            passphrase=form.cleaned_data["passphrase"],
            label=obj.label,
            by=request.user,
        )
        obj.pk, obj._state.adding = stored.pk, False

    def has_delete_permission(self, request, obj=None):
        return False  # a retired certificate stays, so what it signed can still be traced to it


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    """Roots whose chains the portal trusts; a change re-checks every signed file (portal.signatures)."""

    form = TrustedRootForm
    list_display = ["name", "is_active", "source", "fingerprint", "added_at"]
    list_filter = ["is_active", "source"]
    search_fields = ["name", "fingerprint"]
    readonly_fields = ["source", "fingerprint", "subject", "valid_until", "added_at"]

    def get_fields(self, request, obj=None):
        fields = ["name", "certificate_file", "is_active"]
        return fields + (self.readonly_fields if obj else [])

    @admin.display(description="chủ thể")
    def subject(self, obj):
        return read_ca_certificate(obj.certificate_pem.encode("ascii")).subject.rfc4514_string()

    @admin.display(description="hiệu lực đến")
    def valid_until(self, obj):
        moment = read_ca_certificate(obj.certificate_pem.encode("ascii")).not_valid_after_utc
        return moment.strftime("%d/%m/%Y")
