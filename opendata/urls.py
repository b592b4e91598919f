"""/api/v1/ (the API, its schema and its documentation) and /du-lieu-mo/ (the open data page and bulk files)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "opendata"


class Router(DefaultRouter):
    include_format_suffixes = False  # one format, JSON: no ".json" twins of every path


router = Router()
router.register("cooperatives", api.CooperativeViewSet, basename="cooperative")
router.register("documents", api.DocumentViewSet, basename="document")
router.register("news", api.ArticleViewSet, basename="article")
router.register("polls", api.PollViewSet, basename="poll")
router.register("fund/products", api.LoanProductViewSet, basename="loan-product")
router.register("units", api.UnitViewSet, basename="unit")
router.register("agencies", api.AgencyViewSet, basename="agency")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("api/v1/fund/figures/", api.FundFiguresView.as_view(), name="fund-figures"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files (drf-spectacular-sidecar), its script a file of its own ("split"); it styles
    # its elements inline and draws its icons as data: images, which this page alone allows.
    path(
        "api/v1/docs/",
        csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="opendata:schema")
        ),
        name="docs",
    ),
    path("du-lieu-mo/", views.index, name="index"),
    path("du-lieu-mo/danh-muc.json", views.catalogue, name="catalogue"),
    path("du-lieu-mo/<slug:slug>.<str:fmt>", views.download, name="download"),
]
