"""The pages `make bench` loads with wrk, one line each.

login: None for an anonymous visitor, else the demo account whose session cookie (got by logging in through the
real login form) every request carries: OFFICER is an agency officer (UBND Huyện Hồng Dân), STAFF the alliance's
staff (admin). cached: an anonymous page expected to be served from cache (target 0.5 × the bare view's
requests/s, else 0.15 ×). search: a search page (p50 under 100 ms).
A path may name `{placeholders}` filled from the database (PLACEHOLDERS) by `manage.py bench_queries`.
The lines commented out are the issue's other key pages: enable each when its app has landed.
"""

from dataclasses import dataclass

OFFICER = "hongdan"
STAFF = "lienminh"


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
    Page("admin: cooperatives changelist", "/admin/cooperatives/cooperative/", login=STAFF),
    Page("admin: documents changelist", "/admin/directives/document/", login=STAFF),
    # Page("news list", "/tin-tuc/", cached=True),
    # Page("article", "/tin-tuc/{article_slug}/", cached=True),
    # Page("documents with filters", "/van-ban/?loai=quyet_dinh&nam=2021"),
    # Page("search", "/tim-kiem/?q=hop+tac+xa", search=True),
    # Page("cooperative directory with filters", "/hop-tac-xa/?linh_vuc=aquaculture&huyen=956"),
    # Page("cooperative profile", "/hop-tac-xa/{cooperative_slug}/", cached=True),
    # Page("fund public page", "/quy-ho-tro/", cached=True),
    # Page("officer workspace", "/bao-cao/", login=OFFICER),
    # Page("province report matrix", "/bao-cao/{report_request_id}/ma-tran/", login=STAFF),
    # Page("article PDF", "/tin-tuc/{article_slug}/pdf/"),
]


def _first(label: str, field: str):
    """The first demo (not scale) row's field, so the same object is loaded at demo size and at scale."""

    def lookup():
        from django.apps import apps

        model = apps.get_model(label)
        row = model.objects.exclude(**{f"{field}__startswith": "scale-"}).order_by("pk").values_list(field, flat=True)
        return str(row.first() or "")

    return lookup


PLACEHOLDERS = {
    "cooperative_slug": _first("cooperatives.Cooperative", "slug"),
    "document_slug": _first("directives.Document", "slug"),
    # "article_slug": _first("portal.Article", "slug"),
    # "report_request_id": lambda: ...,
}


def resolve(path: str) -> str:
    """The path with its {placeholders} filled from the database (Django must be set up)."""
    import string

    names = [name for _, name, _, _ in string.Formatter().parse(path) if name]
    return path.format(**{name: PLACEHOLDERS[name]() for name in names}) if names else path
