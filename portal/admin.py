from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .forms import SafeRelationsAdminMixin
from .models import AdministrativeUnit, Agency, SecurityEvent, SiteSettings, User


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "successors"]


@admin.register(Agency)
class AgencyAdmin(SafeRelationsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["unit"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(SafeRelationsAdminMixin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "agency__kind"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    fieldsets = BaseUserAdmin.fieldsets + (("Cơ quan công tác", {"fields": ("agency", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Cơ quan công tác", {"fields": ("agency",)}),)


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
