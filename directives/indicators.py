"""The indicators a collective-economy report asks for, and how each is pre-filled from the registry.

A small registry: each indicator has a code, a Vietnamese label, a unit, and optionally a `prefill(ctx)` function
reading the registry for the agency's area (its unit and every unit below it, as portal.access scopes it) and the
report's period. Indicators without a prefill function (outstanding loans) are entered by the officer.
Add one with `@indicator("code", "Nhãn", "đơn vị")` above a function, or `register(Indicator(...))`.

The usual set follows the periodic reports on the collective economy (see DOMAIN.md): counts of HTX, unions and THT,
new and dissolved, members, workers, revenue, profit, loans, congresses held, boards trained.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from cooperatives.selectors import (
    Changes,
    Registry,
    accounts_kept_count,
    congresses_held,
    people_trained,
    registry_as_of,
    registry_changes,
    yearly_figure_totals,
)
from fund.selectors import disbursed_total


@dataclass(frozen=True)
class PrefillContext:
    unit_ids: frozenset[int]
    period_start: date
    period_end: date
    # The registry on a date, and its changes over the period, read once however many indicators count them.
    _registries: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def year(self) -> int:
        return self.period_end.year

    def registry(self, on: date | None = None) -> Registry:
        """The registry of the agency's area as it stood on `on` (the period's end by default)."""
        on = on or self.period_end
        if on not in self._registries:
            self._registries[on] = registry_as_of(on, units=self.unit_ids)
        return self._registries[on]

    def changes(self, kinds: tuple[str, ...]) -> Changes:
        """Units of `kinds` founded in the period, and gone (dissolved, bankrupt) in it."""
        key = ("changes", kinds)
        if key not in self._registries:
            self._registries[key] = registry_changes(
                self.period_start, self.period_end, kinds=kinds, units=self.unit_ids
            )
        return self._registries[key]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    prefill: Callable[[PrefillContext], Decimal | int | None] | None = field(default=None, compare=False)
    # Where the prefilled figure comes from, said to the officer and the reviewer: the registry on the period's end
    # ("on"), over the period ("period"), the yearly figures of its year ("year"), or the fund's loan book ("fund").
    source: str = "on"
    # The staff registry list's filters that list what the figure counts (the unit and the day are added), when
    # the list can say it exactly; None: no list behind the figure.
    registry_query: dict | None = field(default=None, compare=False)

    @property
    def prefillable(self) -> bool:
        return self.prefill is not None


REGISTRY: dict[str, Indicator] = {}


def register(item: Indicator) -> Indicator:
    REGISTRY[item.code] = item
    return item


def indicator(code: str, label: str, unit: str, *, source: str = "on", registry_query: dict | None = None):
    def decorate(function):
        register(Indicator(code, label, unit, function, source, registry_query))
        return function

    return decorate


def indicators_for(codes) -> list[Indicator]:
    return [REGISTRY[code] for code in codes if code in REGISTRY]


def choices() -> list[tuple[str, str]]:
    return [(item.code, f"{item.label} ({item.unit})") for item in REGISTRY.values()]


def percent_choices() -> list[tuple[str, str]]:
    """Indicators that can carry a task's progress (ReportRequest.progress_code)."""
    return [(item.code, item.label) for item in REGISTRY.values() if item.unit == "%"]


def prefill_values(codes, *, unit_ids, period_start, period_end) -> dict[str, Decimal | None]:
    """Each requested indicator's value from the registry, or None when the registry cannot say."""
    ctx = PrefillContext(frozenset(unit_ids), period_start, period_end)
    values = {}
    for item in indicators_for(codes):
        value = item.prefill(ctx) if item.prefill else None
        values[item.code] = None if value is None else Decimal(value)
    return values


@dataclass(frozen=True)
class Source:
    """What the officer and the reviewer read beside a prefilled figure: where it comes from, and the list behind it."""

    text: str
    url: str | None = None


REGISTRY_LIST_URL = "/hop-tac-xa/quan-ly/danh-sach/"


def prefill_sources(
    codes, *, district_id: int | None, period_start: date, period_end: date, commune_id: int | None = None
) -> dict[str, Source]:
    """For each prefillable indicator, where its figure comes from (`district_id`: the agency's district, whose
    registry list the link opens; `commune_id`: a commune of today's map, whose list holds the communes merged into
    it too; neither for a province-wide agency, whose list is the whole province's)."""
    start, end = f"{period_start:%d/%m/%Y}", f"{period_end:%d/%m/%Y}"
    texts = {
        "on": f"Theo sổ đăng ký HTX ngày {end}",
        "period": f"Theo sổ đăng ký HTX từ ngày {start} đến ngày {end}",
        "year": f"Theo số liệu năm {period_end.year} trong sổ đăng ký HTX",
        "fund": f"Theo sổ cho vay của Quỹ hỗ trợ từ ngày {start} đến ngày {end}",
    }
    out = {}
    for item in indicators_for(codes):
        if not item.prefillable:
            continue
        url = None
        query = item.registry_query
        if query is not None and query.get("chi_so") == "new" and period_start != date(period_end.year, 1, 1):
            query = None  # the list's "new" counts from 1 January: it is the figure only for a period from then
        if query is not None:
            area = {"unit": district_id} if district_id else {"xa": commune_id} if commune_id else {}
            params = {**area, **query, "ngay": end}
            url = f"{REGISTRY_LIST_URL}?{urlencode(params)}"
        out[item.code] = Source(texts[item.source], url)
    return out


# --- counts by kind and status -----------------------------------------------------------------------------------

# Counts of the registry as it stood at the end of the period (cooperatives.selectors.registry_as_of): registered
# by then, with the status each had then; dissolved and bankrupt ones no longer exist.


@indicator("htx_total", "Tổng số hợp tác xã", "HTX", registry_query={"kind": "htx", "chi_so": "existing"})
def _htx_total(ctx):
    return ctx.registry().count(kinds=["htx"])


@indicator("htx_active", "Hợp tác xã đang hoạt động", "HTX", registry_query={"kind": "htx", "chi_so": "active"})
def _htx_active(ctx):
    return ctx.registry().count(kinds=["htx"], statuses=["active"])


@indicator("htx_inactive", "Hợp tác xã tạm ngừng, ngừng hoạt động", "HTX")
def _htx_inactive(ctx):
    return ctx.registry().count(kinds=["htx"], statuses=["suspended", "inactive"])


@indicator("unions_total", "Liên hiệp hợp tác xã", "liên hiệp", registry_query={"kind": "union", "chi_so": "existing"})
def _unions(ctx):
    return ctx.registry().count(kinds=["union"])


@indicator("tht_total", "Tổ hợp tác", "THT", registry_query={"kind": "tht", "chi_so": "existing"})
def _tht(ctx):
    return ctx.registry().count(kinds=["tht"])


@indicator(
    "htx_new",
    "Hợp tác xã thành lập mới trong kỳ",
    "HTX",
    source="period",
    registry_query={"kind": "htx", "chi_so": "new"},
)
def _htx_new(ctx):
    return ctx.changes(("htx",)).founded  # founded in the period, whatever became of it since


@indicator("htx_dissolved", "Hợp tác xã giải thể trong kỳ", "HTX", source="period")
def _htx_dissolved(ctx):
    return ctx.changes(("htx",)).gone


# --- yearly figures of the period's year ------------------------------------------------------------------------


def _figures(ctx):
    return yearly_figure_totals(unit_ids=ctx.unit_ids, year=ctx.year)


@indicator("members", "Thành viên", "người", source="year")
def _members(ctx):
    figures = _figures(ctx)
    return None if not figures["rows"] else (figures["official"] or 0) + (figures["associate"] or 0)


@indicator("workers", "Lao động thường xuyên", "người", source="year")
def _workers(ctx):
    figures = _figures(ctx)
    return None if not figures["rows"] else figures["workers"] or 0


@indicator("revenue", "Tổng doanh thu", "đồng", source="year")
def _revenue(ctx):
    figures = _figures(ctx)
    return None if not figures["rows"] else figures["revenue"] or 0


@indicator("profit", "Tổng lợi nhuận", "đồng", source="year")
def _profit(ctx):
    figures = _figures(ctx)
    return None if not figures["rows"] else figures["profit"] or 0


@indicator("congresses_held", "Đại hội thành viên đã tổ chức trong kỳ", "đại hội", source="period")
def _congresses(ctx):
    return congresses_held(unit_ids=ctx.unit_ids, start=ctx.period_start, end=ctx.period_end)


@indicator("htx_accounts_kept", "HTX thực hiện chế độ kế toán", "HTX", source="year")
def _accounts_kept(ctx):
    """HTX and unions of the area, existing at the end of the period's year, whose figures for that year say they
    kept accounting books (Công văn 1047/UBND-KT, item 3)."""
    return accounts_kept_count(unit_ids=ctx.unit_ids, year=ctx.year)


# --- entered by the officer (the registry does not know these yet) ------------------------------------------------

# How far a unit has carried out the task a report request is tied to (ReportRequest.progress_code names it).
register(Indicator("task_progress", "Tiến độ thực hiện nhiệm vụ", "%"))

# Outstanding principal needs the fund's ledger replayed loan by loan: the officer enters it from the fund's report.
register(Indicator("loans_outstanding", "Dư nợ vay Quỹ hỗ trợ cuối kỳ", "đồng"))


@indicator("loans_disbursed", "Vốn vay Quỹ hỗ trợ đã giải ngân trong kỳ", "đồng", source="fund")
def _loans_disbursed(ctx):
    return disbursed_total(unit_ids=ctx.unit_ids, start=ctx.period_start, end=ctx.period_end)


@indicator("boards_trained", "Cán bộ quản lý HTX được đào tạo, bồi dưỡng", "người", source="period")
def _boards_trained(ctx):
    """People of the unit's cooperatives who attended a course in the period (Công văn 1047/UBND-KT, item 3)."""
    return people_trained(unit_ids=ctx.unit_ids, start=ctx.period_start, end=ctx.period_end)


SEMIANNUAL_DEFAULT = [
    "htx_total",
    "htx_active",
    "htx_inactive",
    "unions_total",
    "tht_total",
    "htx_new",
    "htx_dissolved",
    "members",
    "workers",
    "revenue",
    "profit",
    "loans_disbursed",
    "congresses_held",
    "boards_trained",
]
