"""The datasets: which rows are public and how each is read, for the API and the bulk files alike.

The rows are those the public pages show: every cooperative and group of the directory, the public documents, the
published news, the closed polls' results, the fund's active products and aggregate lending (never a borrower),
and the units and agencies. A dataset's data version changes when what it is read from changes: the public pages'
content version (portal.contentcache), the version of what else the datasets read (VERSION, watched in
OpendataConfig.ready) and the day (today's map moves at midnight when a unit's last day passes).
"""

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone

from cooperatives.models import Cooperative, Sector, SizeThreshold, YearlyFigure
from directives.models import Document, DocumentFile, DocumentRelation
from fund.models import Disbursement, FundCapital, LoanProduct
from fund.reports import public_figures
from portal import versioned
from portal.contentcache import HOME_TTL, content_version
from portal.models import AdministrativeUnit, Agency
from portal.unitmap import UNKNOWN, area_key, today_areas
from public.models import Article, Choice, Poll
from public.selectors import next_scheduled

from . import serializers

VERSION = "opendata"
LICENCE_NAME = "Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.vi"
# A lending figure for fewer borrowers than this would show one cooperative's loans: such rows are pooled.
MIN_BORROWERS = 3
# Nor is an amount published where a few borrowers hold nearly all of it: were the two largest to hold more than this
# share, the second could take its own loans from the row and know the first's within the rest (the (n, k) dominance
# rule of statistical offices, with n = 2).
DOMINANCE_TOP, DOMINANCE_SHARE = 2, Decimal("0.85")
OTHER = "khac"
OTHER_AREAS = "Các xã, phường khác (gộp lại để không lộ số tiền vay của từng HTX)"


# Each process remembers the open data's own version for a second, as the content version is remembered
# (portal.contentcache): a cached answer then costs no cache read for it. This process's own bump is seen at once.
VERSION_MEMO_SECONDS = 1.0
_memo = {"version": None, "fresh": False, "until": 0.0}


def own_state() -> tuple:
    """The open data's own version, and whether it moved so recently that an answer built now must read the primary
    (a replica may not hold the change yet: the answer would keep the old rows under the new version)."""
    now = time.monotonic()
    if _memo["version"] is None or now >= _memo["until"]:
        version, fresh = versioned.state(VERSION)
        _memo.update(version=version, fresh=fresh, until=now + VERSION_MEMO_SECONDS)
    return _memo["version"], _memo["fresh"]


def own_version():
    return own_state()[0]


def forget_own_version() -> None:
    _memo["until"] = 0.0


def bump_own_version() -> None:
    forget_own_version()
    versioned.bump_now(VERSION)
    for follow in AFTER_BUMP:
        follow()


AFTER_BUMP: list = []  # what follows a bump (OpendataConfig.ready: asking for the files to be rebuilt)


# What changes by the clock alone: a scheduled article appearing, a poll closing. The part of the data version that
# says which of those moments have passed is remembered per process until the next one (or the next bump).
_clock = {"key": None, "until": None, "value": ""}


def _clock_part(versions) -> str:
    now = timezone.now()
    if _clock["key"] == versions and (_clock["until"] is None or now < _clock["until"]):
        return _clock["value"]
    upcoming = [when for when in (next_scheduled(now), next_poll_closing(now)) if when]
    until = min(upcoming) if upcoming else None
    _clock.update(key=versions, until=until, value=f"{until.timestamp():.0f}" if until else "-")
    return _clock["value"]


def forget_clock() -> None:
    _clock["key"] = None


def data_version() -> str:
    """What every cached API answer and every bulk file is keyed on: the content version, the open data's own
    version, the next moment content changes by the clock, and the day."""
    versions = (content_version(), own_version())
    return f"{versions[0]}.{versions[1]}.{_clock_part(versions)}.{timezone.localdate():%Y%m%d}"


def next_poll_closing(now: datetime) -> datetime | None:
    """When the next open poll closes (its results then become public data). Cached under the content version
    (a poll's save bumps it), as public.selectors.next_scheduled is: every public read sets a cache timeout from it."""
    key = f"opendata:next-closing:v{content_version()}"
    upcoming = cache.get(key)
    if upcoming is None or (upcoming and upcoming <= now):
        upcoming = Poll.objects.filter(closes_at__gt=now).order_by("closes_at").values_list("closes_at", flat=True)
        upcoming = upcoming.first() or False  # False: none waiting (None: not cached)
        cache.set(key, upcoming, HOME_TTL)
    return upcoming or None


# --- the rows ---------------------------------------------------------------------------------------------------


def cooperatives() -> QuerySet:
    return (
        Cooperative.objects.select_related("unit__parent__parent")
        .prefetch_related(Prefetch("figures", queryset=YearlyFigure.objects.order_by("-year")))
        .defer("search_text")
        .order_by("name", "pk")
    )


def cooperative_context() -> dict:
    return {"areas": today_areas(), "thresholds": list(SizeThreshold.objects.all())}


def documents() -> QuerySet:
    return (
        Document.objects.public()
        .select_related("replaced_by")
        .defer("full_text", "search_text", "replaced_by__full_text", "replaced_by__search_text")
        .prefetch_related(
            Prefetch("files", queryset=DocumentFile.objects.only("pk", "document_id", "original_name", "size")),
            Prefetch(
                "relations_out",
                queryset=DocumentRelation.objects.select_related("target").only(
                    "pk", "source_id", "kind", "target__number", "target__slug", "target__is_public"
                ),
            ),
        )
        .order_by("-issue_date", "number", "pk")
    )


def articles() -> QuerySet:
    return (
        Article.objects.published()
        .select_related("category")
        .only("pk", "slug", "title", "publish_at", "lead", "source", "category__slug", "category__name")
        .order_by("-publish_at", "-pk")
    )


def polls() -> QuerySet:
    counted = Choice.objects.annotate(votes_total=Count("votes"))
    return (
        Poll.objects.filter(closes_at__lte=timezone.now())
        .prefetch_related(Prefetch("choices", queryset=counted))
        .order_by("-closes_at", "-pk")
    )


def loan_products() -> QuerySet:
    return LoanProduct.objects.filter(is_active=True).order_by("code")


def units() -> QuerySet:
    return AdministrativeUnit.objects.select_related("parent").prefetch_related("successors").order_by("code")


def agencies() -> QuerySet:
    return Agency.objects.select_related("unit").order_by("name")


# --- the fund's aggregates --------------------------------------------------------------------------------------


@dataclass
class _Group:
    code: str
    name: str
    loans: int = 0
    disbursed: int = 0
    borrowers: dict = field(default_factory=dict)  # cooperative id -> the amount disbursed to it in this group


def _sensitive(borrowers: dict, amounts: bool) -> bool:
    """Too few borrowers; or, where amounts are published, the DOMINANCE_TOP largest hold more than DOMINANCE_SHARE."""
    if len(borrowers) < MIN_BORROWERS:
        return True
    if not amounts:
        return False
    total = sum(borrowers.values())
    top = sum(sorted(borrowers.values(), reverse=True)[:DOMINANCE_TOP])
    return total > 0 and top > DOMINANCE_SHARE * total


def _pooled(groups: list[_Group], other_name: str, amounts: bool = True) -> list[dict]:
    """The rows to publish: each group that is not sensitive (at least MIN_BORROWERS borrowers and, where `amounts`
    are published, no dominance), the others pooled into one row; while that row is still sensitive, the smallest
    published group joins it, so that no amount of fewer than MIN_BORROWERS cooperatives, nor one that a couple of
    them nearly make up alone, can be read from a row or worked out from the total."""

    def pooled_borrowers(pool):
        return {coop: amount for g in pool for coop, amount in g.borrowers.items()}

    shown = sorted(
        (g for g in groups if not _sensitive(g.borrowers, amounts)),
        key=lambda g: (len(g.borrowers), g.disbursed, g.code),
    )
    pool = [g for g in groups if _sensitive(g.borrowers, amounts)]
    while pool and shown and _sensitive(pooled_borrowers(pool), amounts):
        pool.append(shown.pop(0))
    rows = [
        {"code": g.code, "name": g.name, "loans": g.loans, "borrowers": len(g.borrowers), "disbursed": g.disbursed}
        for g in sorted(shown, key=lambda g: g.name)
    ]
    if pool:
        borrowers = pooled_borrowers(pool)
        rows.append(
            {
                "code": OTHER,
                "name": other_name,
                "loans": sum(g.loans for g in pool),
                "borrowers": len(borrowers),
                "disbursed": None if _sensitive(borrowers, amounts) else sum(g.disbursed for g in pool),
            }
        )
    return rows


def quarter_end_before(day: date) -> date:
    """The last day of the last quarter that has ended by `day` (30/09/2026 for any day of October to December)."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first - timedelta(days=1)


def fund_figures(on: date | None = None) -> dict:
    """The fund's public page figures (as that page shows them, today), and lending broken down by today's commune
    and by sector as it stood at the end of the last quarter.

    A breakdown that moved with each disbursement would tell, by the difference between two readings, one
    cooperative's loan; a quarter's close moves four times a year. The amounts are given by commune only (with
    small groups pooled); by sector, only how many loans and borrowers, so that no amount can be worked out by
    setting one table against the other."""
    today = on or timezone.localdate()
    close = quarter_end_before(today)
    paid = list(
        Disbursement.objects.filter(disbursed_on__lte=close)
        .values_list("loan_id", "loan__cooperative_id", "loan__cooperative__unit_id", "loan__cooperative__sector")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    areas = today_areas()
    sectors = dict(Sector.choices)
    by_area: dict = {}
    by_sector: dict = {}
    for _loan, cooperative_id, unit_id, sector, total in paid:
        area = areas.get(unit_id, UNKNOWN)
        key = area_key(area)
        code, name = (area.code, area.name) if key != UNKNOWN.code else (UNKNOWN.code, "Chưa xác định địa bàn hiện nay")
        for groups, group_code, label in ((by_area, code, name), (by_sector, sector, sectors.get(sector, sector))):
            group = groups.setdefault(group_code, _Group(group_code, label))
            group.loans += 1
            group.disbursed += int(total or 0)
            group.borrowers[cooperative_id] = group.borrowers.get(cooperative_id, 0) + int(total or 0)
    figures = public_figures()
    capital = FundCapital.amount_on(today)
    sector_rows = _pooled(
        list(by_sector.values()), f"Các lĩnh vực khác (mỗi lĩnh vực dưới {MIN_BORROWERS} HTX vay)", amounts=False
    )
    for row in sector_rows:
        row["disbursed"] = None  # counts only: see above
    return {
        "on": today,
        "capital": int(capital) if capital is not None else None,
        "loans": figures["loans"],
        "borrowers": figures["borrowers"],
        "disbursed": int(figures["disbursed"]),
        "settled": figures["settled"],
        "breakdown_on": close,
        "breakdown_disbursed": sum(int(row[4] or 0) for row in paid),
        "by_area": _pooled(list(by_area.values()), OTHER_AREAS),
        "by_sector": sector_rows,
    }


# --- the catalogue ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    slug: str  # the bulk files' name
    title: str
    description: str
    serializer: type
    rows: callable
    api: str  # the API list's path under /api/v1/
    context: callable = dict
    keywords: tuple = ()


DATASETS = (
    Dataset(
        "hop-tac-xa",
        "Danh bạ hợp tác xã, liên hiệp và tổ hợp tác",
        "Mọi hợp tác xã, liên hiệp hợp tác xã và tổ hợp tác trong sổ đăng ký của Liên minh: loại hình, lĩnh vực, tình "
        "trạng, địa bàn hiện nay và địa bàn đăng ký cũ, quy mô; địa chỉ, liên hệ, vốn điều lệ và số liệu hoạt động "
        "chỉ khi đơn vị đồng ý công khai.",
        serializers.CooperativeSerializer,
        cooperatives,
        "cooperatives/",
        cooperative_context,
        ("hợp tác xã", "tổ hợp tác", "kinh tế tập thể"),
    ),
    Dataset(
        "van-ban",
        "Văn bản",
        "Văn bản công khai: số, ký hiệu, trích yếu, cơ quan ban hành, người ký, ngày ban hành, ngày hiệu lực, tình "
        "trạng hiệu lực, văn bản liên quan và tệp đính kèm.",
        serializers.DocumentSerializer,
        documents,
        "documents/",
        keywords=("văn bản", "chỉ đạo", "pháp luật"),
    ),
    Dataset(
        "tin-tuc",
        "Tin tức",
        "Tin bài đã đăng: tiêu đề, thời điểm đăng, chuyên mục, tóm tắt, nguồn và địa chỉ trang tin.",
        serializers.ArticleSerializer,
        articles,
        "news/",
        keywords=("tin tức",),
    ),
    Dataset(
        "tham-do",
        "Kết quả thăm dò ý kiến",
        "Các cuộc thăm dò đã đóng và số phiếu của từng phương án.",
        serializers.PollSerializer,
        polls,
        "polls/",
        keywords=("thăm dò ý kiến",),
    ),
    Dataset(
        "quy-san-pham-vay",
        "Sản phẩm cho vay của Quỹ hỗ trợ phát triển HTX",
        "Các sản phẩm cho vay đang áp dụng: đối tượng, mức vay và thời hạn tối đa, lãi suất, cách tính lãi và trả "
        "nợ, điều kiện vốn đối ứng và tài sản bảo đảm.",
        serializers.LoanProductSerializer,
        loan_products,
        "fund/products/",
        keywords=("quỹ hỗ trợ phát triển hợp tác xã", "cho vay"),
    ),
    Dataset(
        "don-vi-hanh-chinh",
        "Đơn vị hành chính",
        "Tỉnh, huyện (đến 30/6/2025) và xã, phường với mã thống kê, thời gian hiệu lực và đơn vị kế thừa sau sắp xếp.",
        serializers.UnitSerializer,
        units,
        "units/",
        keywords=("đơn vị hành chính",),
    ),
    Dataset(
        "co-quan",
        "Cơ quan, đơn vị",
        "Các sở, ngành và Ủy ban nhân dân cấp huyện, cấp xã nhận nhiệm vụ và báo cáo.",
        serializers.AgencySerializer,
        agencies,
        "agencies/",
        keywords=("cơ quan nhà nước",),
    ),
)

BY_SLUG = {d.slug: d for d in DATASETS}


def fund_lending_rows(figures: dict) -> list[dict]:
    """The fund's lending figures as one table for the bulk files: a row per commune and per sector."""
    return [
        {"table": table, **row}
        for table, rows in (("xa_phuong", figures["by_area"]), ("linh_vuc", figures["by_sector"]))
        for row in rows
    ]
