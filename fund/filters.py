"""The staff loan list's filters."""

import django_filters
from django import forms
from django.utils import timezone

from portal.filters import TodayCommuneFilter
from portal.models import AdministrativeUnit
from portal.search import filter_search

from .models import Loan, LoanProduct
from .selectors import loans_in_arrears


class LoanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Tìm kiếm", method="search")
    status = django_filters.ChoiceFilter(label="Trạng thái", choices=Loan.Status.choices, empty_label="Tất cả")
    product = django_filters.ModelChoiceFilter(
        label="Sản phẩm", queryset=LoanProduct.objects.all(), empty_label="Tất cả"
    )
    don_vi = django_filters.ModelChoiceFilter(
        label="Địa bàn",
        queryset=AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.DISTRICT).order_by("code"),
        method="in_unit",
        empty_label="Tất cả địa bàn",
    )
    xa = TodayCommuneFilter(unit_field="cooperative__unit_id")  # the borrower's commune of today
    qua_han = django_filters.BooleanFilter(
        label="Quá hạn trên 30 ngày",
        method="in_arrears",
        widget=forms.CheckboxInput,
    )
    ngay = django_filters.DateFilter(label="Tính đến ngày", method="as_of", input_formats=["%d/%m/%Y", "%Y-%m-%d"])

    class Meta:
        model = Loan
        fields = ["q", "status", "product", "don_vi", "xa", "qua_han"]

    def search(self, queryset, name, value):
        return filter_search(queryset, value)

    def in_unit(self, queryset, name, unit):
        units = AdministrativeUnit.objects.filter(pk=unit.pk) | unit.children.all()
        return queryset.filter(cooperative__unit__in=units)

    def as_of(self, queryset, name, value):
        return queryset  # read by in_arrears

    def in_arrears(self, queryset, name, value):
        if not value:
            return queryset
        on = self.form.cleaned_data.get("ngay") or timezone.localdate()
        return queryset.filter(pk__in=loans_in_arrears(on))
