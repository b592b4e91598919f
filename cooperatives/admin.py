from django.contrib import admin

from .models import Congress, Cooperative, YearlyFigure


class YearlyFigureInline(admin.TabularInline):
    model = YearlyFigure
    extra = 0


class CongressInline(admin.TabularInline):
    model = Congress
    extra = 0


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "registration_code", "unit", "sector", "status"]
    list_filter = ["kind", "status", "sector", "unit"]
    list_select_related = ["unit"]
    search_fields = ["search_text", "registration_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [YearlyFigureInline, CongressInline]
