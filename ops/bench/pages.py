"""The pages `make bench` loads with wrk, one line each.

login: None for an anonymous visitor, else the demo account whose session cookie (got by logging in through the
real login form) every request carries: OFFICER is an agency officer (UBND Huyện Hồng Dân), STAFF the alliance's
staff (admin), FUND the fund's officer. cached: an anonymous page expected to be served from cache (target 0.5 × the
bare view's requests/s, else 0.15 ×). search: a search page (p50 under 100 ms).
A path may name `{placeholders}` filled from the database (PLACEHOLDERS) by `manage.py bench_queries` and
`ops.bench.measure`: each picks a demo object (never a scale one), so a page loads the same object at demo size and at
scale and only the amount of data around it changes.
"""

from dataclasses import dataclass

OFFICER = "hongdan"
STAFF = "lienminh"
FUND = "quy"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    login: str | None = None
    cached: bool = False
    search: bool = False


# The baseline every page is compared with (routed only when PORTAL_BENCH_ENDPOINTS is on).
BARE = Page("bare Django view", "/_bench/bare")

PAGES = [
    Page("home", "/", cached=True),
    Page("login page", "/dang-nhap/"),
    Page("healthz", "/healthz"),
    Page("news list", "/tin-tuc/", cached=True),
    Page("article", "/tin-tuc/{article_slug}/", cached=True),
    Page("documents with filters", "/van-ban/?doc_type=quyet_dinh&year={document_year}"),
    Page("search", "/tim-kiem/?q=hop+tac+xa", search=True),
    Page("cooperative directory with filters", "/hop-tac-xa/?sector=aquaculture&unit={district_id}"),
    Page("cooperative profile", "/hop-tac-xa/{cooperative_slug}/", cached=True),
    Page("fund public page", "/quy-ho-tro/", cached=True),
    Page("officer workspace", "/bao-cao/", login=OFFICER),
    Page("province report matrix", "/bao-cao/tong-hop/", login=STAFF),
    Page("admin: cooperatives changelist", "/admin/cooperatives/cooperative/", login=STAFF),
    Page("admin: documents changelist", "/admin/directives/document/", login=STAFF),
    Page("admin: fund loans changelist", "/admin/fund/loan/", login=STAFF),
    Page("loan book", "/quy-ho-tro/quan-ly/", login=FUND),
    Page("registry dashboard", "/hop-tac-xa/quan-ly/", login=STAFF),
    Page("article PDF", "/tin-tuc/{article_slug}/pdf/"),
    # The open data API (opendata.api): answers cached per data version, like the public pages.
    Page("API: cooperatives with filters", "/api/v1/cooperatives/?sector=aquaculture&page_size=50", cached=True),
    Page("API: documents with filters", "/api/v1/documents/?doc_type=quyet_dinh&year={document_year}", cached=True),
    Page("API: news", "/api/v1/news/", cached=True),
    Page("API: a cooperative", "/api/v1/cooperatives/{cooperative_slug}/", cached=True),
    Page("API: fund figures", "/api/v1/fund/figures/", cached=True),
]


def _first(label: str, field: str, **filters):
    """The first demo (not scale) row's field, so the same object is loaded at demo size and at scale."""

    def lookup():
        from django.apps import apps

        model = apps.get_model(label)
        rows = model.objects.filter(**filters).exclude(**{f"{field}__startswith": "scale-"})
        return str(rows.order_by("pk").values_list(field, flat=True).first() or "")

    return lookup


def _published_article_slug() -> str:
    from public.models import Article

    rows = Article.objects.published().exclude(slug__startswith="scale-").order_by("pk")
    return rows.values_list("slug", flat=True).first() or ""


def _demo_document_year() -> str:
    """The year with the most demo decisions, so the filtered list is never empty at demo size."""
    from django.db.models import Count

    from directives.models import Document

    rows = (
        Document.objects.filter(doc_type="quyet_dinh")
        .exclude(slug__startswith="scale-")
        .values_list("issue_date__year")
        .annotate(n=Count("id"))
        .order_by("-n", "-issue_date__year")
    )
    found = rows.first()
    return str(found[0]) if found else "2021"


def _district_id() -> str:
    """Huyện Hồng Dân, the demo's district with the most cooperatives (its pk differs from one database to another)."""
    from portal.models import AdministrativeUnit

    return str(AdministrativeUnit.objects.filter(code="956").values_list("pk", flat=True).first() or "")


PLACEHOLDERS = {
    "cooperative_slug": _first("cooperatives.Cooperative", "slug", status="active"),
    "document_slug": _first("directives.Document", "slug", is_public=True),
    "article_slug": _published_article_slug,
    "document_year": _demo_document_year,
    "district_id": _district_id,
}


def resolve(path: str) -> str:
    """The path with its {placeholders} filled from the database (Django must be set up)."""
    import string

    names = [name for _, name, _, _ in string.Formatter().parse(path) if name]
    return path.format(**{name: PLACEHOLDERS[name]() for name in names}) if names else path
