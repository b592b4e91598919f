"""Reads of the fund that other apps may use (directives' report indicators)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from portal.unitmap import UNKNOWN, area_key, today_areas

from .models import Appraisal, Disbursement, Loan
from .reports import lines_from_snapshots


def disbursed_total(*, unit_ids: Iterable[int], start: date, end: date) -> int:
    """The fund's loan money disbursed between the two dates to cooperatives of these units, in đồng."""
    return Disbursement.objects.filter(
        loan__cooperative__unit_id__in=unit_ids, disbursed_on__range=(start, end)
    ).aggregate(total=Sum("amount", default=0))["total"]


@dataclass(frozen=True)
class Arrears:
    """A district's portfolio on a date: outstanding principal, the part of it in loans more than 30 days overdue
    (PAR30, as the fund's report counts it; written-off loans are off the balance sheet) and those loans' ids."""

    outstanding: Decimal = Decimal(0)
    at_risk: Decimal = Decimal(0)
    loan_ids: tuple[int, ...] = ()

    @property
    def percent(self) -> Decimal | None:
        if not self.outstanding:
            return None
        return (self.at_risk * 100 / self.outstanding).quantize(Decimal("0.1"))


def arrears_by_district(on: date, *, today_map: bool = False) -> dict[int | str, Arrears]:
    """PAR30 per district id on `on`, from the same lines as the fund's portfolio report (a fixed number of queries);
    with `today_map`, per commune of today's map (portal.unitmap.area_key of the borrower's unit)."""
    lines, _stored = lines_from_snapshots(on)
    outstanding, at_risk, ids = defaultdict(Decimal), defaultdict(Decimal), defaultdict(list)
    areas = today_areas() if today_map else None
    for line in lines:
        if line.status == Loan.Status.WRITTEN_OFF:
            continue
        if areas is None:
            district = line.district.pk
        else:
            district = area_key(areas.get(line.loan.cooperative.unit_id, UNKNOWN))
        outstanding[district] += line.outstanding_principal
        if line.days_past_due > 30:
            at_risk[district] += line.outstanding_principal
            ids[district].append(line.loan.pk)
    return {d: Arrears(outstanding[d], at_risk[d], tuple(sorted(ids[d]))) for d in outstanding}


def loans_in_arrears(on: date) -> list[int]:
    """Ids of the loans more than 30 days overdue on `on` (the loan list's filter behind the scorecard's figure)."""
    return sorted(i for a in arrears_by_district(on).values() for i in a.loan_ids)


def loans_in_arrears_count(on: date) -> int:
    """How many loans the loan list shows with "Quá hạn trên 30 ngày" ticked on `on` (province-wide staff)."""
    return Loan.objects.filter(pk__in=loans_in_arrears(on)).count()


def appraisals_waiting_count(user) -> int:
    """Appraisals addressed to `user`'s agency (all of them for fund staff) that still wait for an opinion."""
    return Appraisal.objects.for_user(user).filter(recommendation=Appraisal.Recommendation.PENDING).count()


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
