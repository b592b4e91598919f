"""The public document list's filters (django-filter), with accent-insensitive search."""

import hashlib

import django_filters
from django import forms

from portal.contentcache import cached
from portal.search import filter_search

from .models import Document


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tìm kiếm",
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Số, trích yếu…"}),
    )
    doc_type = django_filters.ChoiceFilter(label="Loại văn bản", choices=Document.Type.choices, empty_label="Tất cả")
    issuer = django_filters.ChoiceFilter(label="Cơ quan ban hành", empty_label="Tất cả")
    field = django_filters.ChoiceFilter(label="Lĩnh vực", empty_label="Tất cả")
    year = django_filters.ChoiceFilter(label="Năm ban hành", field_name="issue_date__year", empty_label="Tất cả")
    status = django_filters.ChoiceFilter(label="Tình trạng", choices=Document.Status.choices, empty_label="Tất cả")

    class Meta:
        model = Document
        fields = ["q", "doc_type", "issuer", "field", "year", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the three lists of choices, cached with the content version (a DISTINCT over every
        # document: 30 ms at 20,000).
        rows = cached(
            f"document-choices:{hashlib.sha1(str(self.queryset.query).encode()).hexdigest()[:16]}",
            lambda: list(self.queryset.order_by().values_list("issuer", "field", "issue_date__year").distinct()),
        )
        self.filters["issuer"].extra["choices"] = [(v, v) for v in sorted({r[0] for r in rows if r[0]})]
        self.filters["field"].extra["choices"] = [(v, v) for v in sorted({r[1] for r in rows if r[1]})]
        self.filters["year"].extra["choices"] = [(str(v), str(v)) for v in sorted({r[2] for r in rows}, reverse=True)]

    def search(self, queryset, name, value):
        return filter_search(queryset, value)
