"""Reads of the fund that other apps may use (directives' report indicators)."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Sum

from .models import Disbursement


def disbursed_total(*, unit_ids: Iterable[int], start: date, end: date) -> int:
    """The fund's loan money disbursed between the two dates to cooperatives of these units, in đồng."""
    return Disbursement.objects.filter(
        loan__cooperative__unit_id__in=unit_ids, disbursed_on__range=(start, end)
    ).aggregate(total=Sum("amount", default=0))["total"]
