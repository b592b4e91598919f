"""Visit statistics (Thống kê truy cập) counted at a small fixed cost: at most two cache.add calls per page."""

from .counters import is_bot, record_visit

SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/healthz", "/favicon", "/robots.txt", "/sitemap.xml", "/rss/")


class VisitCounterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and not request.path.startswith(SKIPPED_PREFIXES)
            and "text/html" in response.get("Content-Type", "")
            and not is_bot(request)
        ):
            record_visit(request)
        return response
