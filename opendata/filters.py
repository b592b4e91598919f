"""The API's filters for the datasets whose pages have none of their own (the registry and the documents reuse
their pages' filters)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cooperatives.filters import CooperativeFilter
from directives.filters import DocumentFilter
from portal.filters import TodayCommuneFilter
from portal.models import AdministrativeUnit, Agency
from public.models import Article


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelChoiceFilter):
    """A unit named by its statistics code (the schema: a string)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="code", **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.ChoiceFilter):
    """A year among those the rows have (the choices are set per request)."""


@extend_schema_field(OpenApiTypes.STR)
class TodayCommuneByCode(TodayCommuneFilter):
    """A commune of today named by its statistics code (the schema: a string)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="code", **kwargs)


class CooperativeFilterByCode(CooperativeFilter):
    """The directory's filters, with places named by their statistics code instead of a row number."""

    xa = TodayCommuneByCode(label="Xã, phường hiện nay (mã)")
    unit = CodeFilter(
        label="Huyện trước 7/2025 (mã)", queryset=CooperativeFilter.base_filters["unit"].extra["queryset"],
        method="in_unit",
    )  # fmt: skip


class DocumentFilterForApi(DocumentFilter):
    """The document list's filters; the year is a number in the schema."""

    year = YearFilter(label="Năm ban hành", field_name="issue_date__year", empty_label="Tất cả")


class ArticleFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", label="Chuyên mục (đường dẫn)")
    tag = django_filters.CharFilter(field_name="tags__slug", label="Từ khóa (đường dẫn)", distinct=True)
    # Years a date in Asia/Ho_Chi_Minh can be turned into UTC for (year 1 overflows on SQLite).
    year = django_filters.NumberFilter(field_name="publish_at__year", label="Năm đăng", min_value=1900, max_value=2999)

    class Meta:
        model = Article
        fields = ["category", "tag", "year"]


class UnitFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AdministrativeUnit.Level.choices, label="Cấp")
    parent = django_filters.CharFilter(field_name="parent__code", label="Mã đơn vị cấp trên")
    in_force = django_filters.BooleanFilter(method="filter_in_force", label="Còn hiệu lực hôm nay")

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "parent", "in_force"]

    def filter_in_force(self, queryset, name, value):
        today = timezone.localdate()
        valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        return queryset.filter(valid) if value else queryset.exclude(valid)


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Agency.Kind.choices, label="Loại cơ quan")
    is_active = django_filters.BooleanFilter(label="Đang hoạt động")

    class Meta:
        model = Agency
        fields = ["kind", "is_active"]
