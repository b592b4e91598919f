"""The API's filters for the datasets whose pages have none of their own (the registry and the documents reuse
their pages' filters)."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from portal.models import AdministrativeUnit, Agency
from public.models import Article


class ArticleFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", label="Chuyên mục (đường dẫn)")
    tag = django_filters.CharFilter(field_name="tags__slug", label="Từ khóa (đường dẫn)", distinct=True)
    year = django_filters.NumberFilter(field_name="publish_at__year", label="Năm đăng", min_value=1, max_value=9999)

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
