"""Admin changelists that stay fast when a table holds tens of thousands of rows (ops/bench/NOTES.md).

At 10,000 cooperatives or 20,000 documents a stock changelist spent most of its time on things nobody reads:
100 rendered rows, a second COUNT(*) for "show all", `date_hierarchy`'s DISTINCT over every date, a filter
link per administrative unit, and each row's long text columns. `LargeChangelist` turns those off;
`YearFilter` and `DistrictFilter` replace date_hierarchy and a filter listing every unit. What remains (20-30 ms
of rendering rows and filters) is paid once per user until a row changes: the page is kept (portal.staffcache).
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import staffcache
from .models import AdministrativeUnit


class LargeChangelist:
    """Mix into a ModelAdmin (before admin.ModelAdmin). `list_defer` names columns the list never shows."""

    list_per_page = 25  # ~0.5 ms of CPU per rendered row: 25 rows keep a list near 30 ms at scale
    show_full_result_count = False  # saves a COUNT(*) of the whole table on every filtered page
    # No "Show counts" toggle: it counts every filter choice over the whole table (and Django has no Vietnamese
    # text for it).
    show_facets = admin.ShowFacets.NEVER
    list_defer: tuple[str, ...] = ()

    def action_checkbox(self, obj):
        """The same input as Django's, without rendering a form widget through the template engine for each row
        (~0.2 ms a row)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    def get_urls(self):
        """The changelist's URL answers through `kept_changelist_view`: outside every `changelist_view` of the
        admin's classes (a subclass may add to the response's context after its super() call)."""
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if (getattr(pattern, "name", None) or "").endswith("_changelist"):
                view = update_wrapper(self.admin_site.admin_view(self.kept_changelist_view), self.changelist_view)
                view.model_admin = self
                urls[index] = path("", view, name=pattern.name)
        return urls

    def kept_changelist_view(self, request, extra_context=None):
        # The permission check first, on every request; the page then comes from portal.staffcache when it can.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return staffcache.page(request, lambda: self.changelist_view(request, extra_context))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        # Only on the list: the change form needs every column, and a deferred one would cost a query each.
        if self.list_defer and match and (match.url_name or "").endswith("_changelist"):
            qs = qs.defer(*self.list_defer)
        return qs


class YearFilter(admin.SimpleListFilter):
    """Filter by year of a date field: the years come from MIN and MAX (two index lookups), not a DISTINCT."""

    date_field = ""

    def lookups(self, request, model_admin):
        bounds = model_admin.model._default_manager.aggregate(first=Min(self.date_field), last=Max(self.date_field))
        if bounds["first"] is None:
            return []
        return [(str(y), str(y)) for y in range(bounds["last"].year, bounds["first"].year - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and 1900 <= int(value) <= 2200:
            return queryset.filter(**{f"{self.date_field}__year": int(value)})
        return queryset


def year_filter(field: str, title: str) -> type[YearFilter]:
    """A YearFilter over `field`, with its own query parameter (`<field>_nam`)."""
    return type(f"{field.title()}YearFilter", (YearFilter,), {"date_field": field, "title": title,
                                                              "parameter_name": f"{field}_nam"})  # fmt: skip


class DistrictFilter(admin.SimpleListFilter):
    """One link per district (7), not per unit (~260): a district matches its own rows and its communes'."""

    title = "địa bàn"
    parameter_name = "district"
    unit_path = "unit"

    def lookups(self, request, model_admin):
        units = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.DISTRICT).order_by("code")
        return [(u.pk, u.name) for u in units]

    def queryset(self, request, queryset):
        # A string from the query string, but the lookup's own int when the admin counts facets (?_facets);
        # ASCII digits, few of them: a 24-digit id overflowed SQLite's integer (a 500, found by fuzzing).
        value = str(self.value() or "")
        if value.isascii() and value.isdigit() and len(value) <= 18:
            unit_id = int(value)
            units = AdministrativeUnit.objects.filter(pk=unit_id) | AdministrativeUnit.objects.filter(parent_id=unit_id)
            return queryset.filter(**{f"{self.unit_path}__in": units})
        return queryset
