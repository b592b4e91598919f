"""Reads about pilot cooperatives (HTX điểm): what was invested, and whether the cooperative did better afterwards.

The comparison behind "did the money work": for each investment, the cooperative's yearly figures (members, revenue,
profit) of a base year (the year before the investment, or else the last year before it that has figures) against
every later year that has figures, the latest one last. A missing base or no later year is said, not guessed.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from portal.formatting import plain_number

from .models import Cooperative, InvestmentSource, PilotInvestment, YearlyFigure

METRICS = (("members", "Thành viên"), ("revenue", "Doanh thu"), ("profit", "Lợi nhuận"))
PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class Change:
    """One metric from a base year to a later year."""

    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change as a share of the base (of its size when the base is a loss); None when the base is 0."""
        if self.before == 0:
            return None
        return (self.delta * 100 / abs(self.before)).quantize(PERCENT, rounding=ROUND_HALF_UP)

    @property
    def word(self) -> str:
        return "tăng" if self.delta > 0 else "giảm" if self.delta < 0 else "không đổi"

    @property
    def text(self) -> str:
        """ "tăng 12,5%", "giảm 3%", "không đổi"; from a base of 0, only the direction ("tăng (năm gốc bằng 0)")."""
        if self.delta == 0:
            return self.word
        if self.percent is None:
            return f"{self.word} (năm gốc bằng 0)"
        return f"{self.word} {plain_number(abs(self.percent))}%"


@dataclass(frozen=True)
class Row:
    """A metric's values in the base year and one later year."""

    key: str
    label: str
    change: Change


@dataclass
class Outcome:
    """One investment, its base year and the later years compared with it."""

    investment: PilotInvestment
    base_year: int | None
    later_years: list[int]
    after: list[tuple[int, list[Row]]] = field(default_factory=list)

    @property
    def latest_year(self) -> int | None:
        return self.after[-1][0] if self.after else None


def metric(figure: YearlyFigure, key: str) -> Decimal:
    return Decimal(figure.members if key == "members" else getattr(figure, key))


def base_year(invested_in: int, years: Iterable[int]) -> int | None:
    """The year before the investment, or else the last year before it that has figures; None when none."""
    earlier = [y for y in years if y < invested_in]
    return max(earlier) if earlier else None


def outcomes(investments: Iterable[PilotInvestment], figures: Iterable[YearlyFigure]) -> list[Outcome]:
    """The comparison for each investment, from figures already read (no query)."""
    by_year = {f.year: f for f in figures}
    result = []
    for investment in sorted(investments, key=lambda i: (i.year, i.pk or 0)):
        base = base_year(investment.year, by_year)
        later = sorted(y for y in by_year if y > investment.year)
        outcome = Outcome(investment=investment, base_year=base, later_years=later)
        if base is not None:
            for year in later:
                rows = [
                    Row(key, label, Change(metric(by_year[base], key), metric(by_year[year], key)))
                    for key, label in METRICS
                ]
                outcome.after.append((year, rows))
        result.append(outcome)
    return result


def investment_outcomes(cooperative: Cooperative) -> list[Outcome]:
    """The comparison for each of a cooperative's investments (two queries)."""
    return outcomes(cooperative.investments.all(), cooperative.figures.all())


def totals_by_year_and_source(investments) -> dict:
    """Count and sum of `investments` per year and source, with the totals of each year, each source and all.

    {"sources": [(value, label)], "years": [{"year", "cells": [{"source", "label", "count", "amount"} | None per
    source], "amount"}], "source_totals": [{"source", "label", "amount"} per source], "amount", "count"}
    """
    sources = list(InvestmentSource.choices)
    labels = dict(sources)
    cells = defaultdict(dict)
    rows = investments.order_by().values("year", "source").annotate(n=Count("id"), amount=Sum("amount"))
    for row in rows:
        cells[row["year"]][row["source"]] = {
            "source": row["source"],
            "label": labels[row["source"]],
            "count": row["n"],
            "amount": row["amount"],
        }
    years = [
        {
            "year": year,
            "cells": [cells[year].get(value) for value, _label in sources],
            "amount": sum((c["amount"] for c in cells[year].values()), Decimal(0)),
        }
        for year in sorted(cells)
    ]
    source_totals = [
        {
            "source": value,
            "label": label,
            "amount": sum((cells[year][value]["amount"] for year in cells if value in cells[year]), Decimal(0)),
        }
        for value, label in sources
    ]
    return {
        "sources": sources,
        "years": years,
        "source_totals": source_totals,
        "amount": sum((t["amount"] for t in source_totals), Decimal(0)),
        "count": sum(c["count"] for year in cells.values() for c in year.values()),
    }
