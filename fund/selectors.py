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


def loans_overdue(on: date) -> list[dict]:
    """Loans of the book with principal or interest past due at the end of `on`, longest overdue first:
    {"title", "days", "amount", "link"} with `link` a path on the site (fund.reports' stored or replayed figures)."""
    from .reports import lines_from_snapshots

    lines, _stored = lines_from_snapshots(on)
    rows = [
        {
            "title": f"{line.loan.code} — {line.loan.cooperative.name}",
            "days": line.days_past_due,
            "amount": line.overdue_principal + line.overdue_interest,
            "link": line.loan.get_absolute_url(),
        }
        for line in lines
        if line.days_past_due > 0 and (line.overdue_principal > 0 or line.overdue_interest > 0)
    ]
    rows.sort(key=lambda row: (-row["days"], row["title"]))
    return rows
