"""The staff loan list's filters."""

import django_filters

from portal.search import filter_search

from .models import Loan, LoanProduct


class LoanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Tìm kiếm", method="search")
    status = django_filters.ChoiceFilter(label="Trạng thái", choices=Loan.Status.choices, empty_label="Tất cả")
    product = django_filters.ModelChoiceFilter(
        label="Sản phẩm", queryset=LoanProduct.objects.all(), empty_label="Tất cả"
    )

    class Meta:
        model = Loan
        fields = ["q", "status", "product"]

    def search(self, queryset, name, value):
        return filter_search(queryset, value)
