"""The public directory's filters (django-filter), with accent-insensitive search through portal.search."""

import django_filters
from django import forms
from django.utils import timezone

from portal.filters import TodayCommuneFilter
from portal.models import AdministrativeUnit
from portal.search import filter_search

from .models import Cooperative, Evaluation, Grade, Sector
from .selectors import (
    ACCOUNTS_KEPT,
    BOARD_EXPIRED,
    EXISTING,
    NEEDS_ACTION,
    SCORECARD_CONDITIONS,
    accounts_kept_list,
    boards_expired,
    needs_action,
    registered_by,
    scorecard_filter,
    status_on,
)

# The registry list also lists what a report's prefilled counts count: every unit that exists on the day.
REGISTRY_CONDITIONS = {"existing": "còn tồn tại (chưa giải thể, phá sản)", **SCORECARD_CONDITIONS}


def latest_evaluation_year() -> int | None:
    return Evaluation.objects.order_by("-year").values_list("year", flat=True).first()


class CooperativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Tìm kiếm", method="search", widget=forms.TextInput(attrs={"type": "search"}))
    xa = TodayCommuneFilter()
    unit = django_filters.ModelChoiceFilter(
        label="Huyện (trước 7/2025)",
        queryset=AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.DISTRICT).order_by("code"),
        method="in_unit",
        empty_label="Tất cả huyện",
    )
    kind = django_filters.ChoiceFilter(label="Loại hình", choices=Cooperative.Kind.choices, empty_label="Tất cả")
    sector = django_filters.ChoiceFilter(label="Lĩnh vực", choices=Sector.choices, empty_label="Tất cả lĩnh vực")
    status = django_filters.ChoiceFilter(
        label="Tình trạng", choices=Cooperative.Status.choices, empty_label="Tất cả tình trạng"
    )
    grade = django_filters.ChoiceFilter(
        label="Xếp loại (năm gần nhất)", choices=Grade.choices, method="with_grade", empty_label="Tất cả"
    )

    board = django_filters.ChoiceFilter(
        label="Hội đồng quản trị",
        choices=[(BOARD_EXPIRED, "Đã hết nhiệm kỳ")],
        method="with_board",
        empty_label="Tất cả",
    )
    accounts = django_filters.ChoiceFilter(
        label="Chế độ kế toán",
        choices=[(ACCOUNTS_KEPT, "Có sổ kế toán năm trước")],
        method="with_accounts",
        empty_label="Tất cả",
    )

    class Meta:
        model = Cooperative
        fields = ["q", "xa", "unit", "kind", "sector", "status", "grade", "board", "accounts"]

    def search(self, queryset, name, value):
        return filter_search(queryset, value)

    def in_unit(self, queryset, name, unit):
        return queryset.filter(unit__in=AdministrativeUnit.objects.filter(pk=unit.pk) | unit.children.all())

    def with_grade(self, queryset, name, value):
        year = latest_evaluation_year()
        if year is None:
            return queryset.none()
        return queryset.filter(evaluations__year=year, evaluations__grade=value)

    def with_board(self, queryset, name, value):
        return boards_expired(queryset, timezone.localdate())

    def with_accounts(self, queryset, name, value):
        return accounts_kept_list(year=accounts_year(), qs=queryset)


def accounts_year() -> int:
    """The last full year: the one whose accounts the dashboard and statistics count."""
    return timezone.localdate().year - 1


class RegistryFilter(CooperativeFilter):
    """The staff registry list: the directory's filters and the scorecard's conditions on a date."""

    chi_so = django_filters.ChoiceFilter(
        label="Chỉ số", choices=list(REGISTRY_CONDITIONS.items()), method="meets", empty_label="Tất cả"
    )
    ngay = django_filters.DateFilter(label="Tính đến ngày", method="as_of", input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    can_xu_ly = django_filters.ChoiceFilter(
        label="Cần xử lý", choices=list(NEEDS_ACTION.items()), method="waiting", empty_label="Tất cả"
    )

    class Meta(CooperativeFilter.Meta):
        fields = [*CooperativeFilter.Meta.fields, "chi_so", "ngay", "can_xu_ly"]

    def as_of(self, queryset, name, value):
        return queryset  # read by meets

    def meets(self, queryset, name, value):
        on = self.form.cleaned_data.get("ngay") or timezone.localdate()
        if value == "existing":  # as cooperatives.selectors.registry_as_of counts them
            return queryset.filter(registered_by(on)).alias(as_status=status_on(on)).filter(as_status__in=EXISTING)
        return scorecard_filter(queryset, value, on=on)

    def waiting(self, queryset, name, value):
        return needs_action(queryset, value, on=timezone.localdate())
