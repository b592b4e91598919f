"""Endpoints that exist only for `make bench` (settings.PORTAL_BENCH_ENDPOINTS, off by default)."""

from django.http import HttpResponse


def bare(request):
    """The baseline: a Django view through the full middleware stack that does no work of its own."""
    return HttpResponse("ok", content_type="text/plain")
