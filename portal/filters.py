"""Filters (django-filter) that several apps' lists share."""

import django_filters

from .models import AdministrativeUnit
from .unitmap import units_in_today


def communes_of_today():
    return AdministrativeUnit.objects.filter(
        level=AdministrativeUnit.Level.COMMUNE, valid_to__isnull=True, parent__valid_to__isnull=True
    ).order_by("name")


class TodayCommuneFilter(django_filters.ModelChoiceFilter):
    """A commune of today: the rows whose unit (`unit_field`, a path to a unit's id) lies in it today, registered
    there or in a commune since merged into it (portal.unitmap)."""

    def __init__(self, *args, unit_field: str = "unit_id", **kwargs):
        kwargs.setdefault("label", "Xã, phường hiện nay")
        kwargs.setdefault("queryset", communes_of_today())
        kwargs.setdefault("empty_label", "Tất cả xã, phường")
        super().__init__(*args, **kwargs)
        self.unit_field = unit_field

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.unit_field}__in": units_in_today([value.pk])})
