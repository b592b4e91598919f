"""What every API view uses, named in settings.REST_FRAMEWORK: the pages, the limit per client and the error
answers. Apart from the views (opendata.api) because DRF imports these while the views' module is being built."""

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils.http import urlencode
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from portal.cache import CacheUnavailable, strict
from portal.security import client_ip
from portal.siteurl import absolute


class Pages(PageNumberPagination):
    """Pages of 50 (page_size up to 200). The links to the next and previous page are built on the configured site
    (portal.siteurl) from the parameters the endpoint understands, not from the request's host or its other
    parameters: the answer is cached and served to every client (opendata.api)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "Trang không hợp lệ."

    def paginate_queryset(self, queryset, request, view=None):
        filters = getattr(view, "filterset_class", None)
        self.understood = {*(filters.base_filters if filters is not None else ()), self.page_size_query_param}
        return super().paginate_queryset(queryset, request, view)

    def _link(self, page_number):
        params = [(k, v) for k in sorted(set(self.request.GET) & self.understood) for v in self.request.GET.getlist(k)]
        if page_number != 1:
            params.append((self.page_query_param, page_number))
        query = urlencode(params)
        return absolute(self.request.path) + (f"?{query}" if query else "")

    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None


# --- the limit per client ---------------------------------------------------------------------------------------


class PerClient(BaseThrottle):
    """At most settings.PORTAL_API_REQUESTS_PER_MINUTE requests per client address in each minute of the clock: one
    atomic counter per address and minute in the shared cache, so every web host counts against the same limit.

    While the cache cannot answer, each process counts on its own (so a client gets at most the limit from each
    process): with no cache the answers are not cached either, and every request costs the database."""

    WINDOW = 60
    _local_lock = threading.Lock()
    _local_window = None
    _local_counts: dict = {}

    def allow_request(self, request, view):
        limit = settings.PORTAL_API_REQUESTS_PER_MINUTE
        if limit <= 0:
            return True
        now = time.time()
        window = int(now // self.WINDOW)
        self.retry_after = max(1, math.ceil((window + 1) * self.WINDOW - now))
        key = f"opendata:rate:{client_ip(request) or '-'}:{window}"
        try:
            count = self._shared_count(key)
        except CacheUnavailable:
            count = self._local_count(key, window)
        return count <= limit

    def _shared_count(self, key) -> int:
        shared = strict(cache)
        # One round trip in the common case: the counter of this minute exists after the client's first request.
        try:
            return shared.incr(key)
        except ValueError:  # the minute's first request (or the key just expired)
            return 1 if shared.add(key, 1, self.WINDOW + 5) else shared.incr(key)

    @classmethod
    def _local_count(cls, key, window) -> int:
        with cls._local_lock:
            if cls._local_window != window:  # a new minute: the last one's counts go
                cls._local_window, cls._local_counts = window, {}
            cls._local_counts[key] = cls._local_counts.get(key, 0) + 1
            return cls._local_counts[key]

    def wait(self):
        return self.retry_after


def exception_handler(exc, context):
    """DRF's answers, in Vietnamese; a 429 says it in English too, with how long to wait."""
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 60)
        response = Response(
            {
                "detail": f"Quá nhiều yêu cầu: mỗi địa chỉ được gửi tối đa {settings.PORTAL_API_REQUESTS_PER_MINUTE} "
                f"yêu cầu mỗi phút. Hãy thử lại sau {wait} giây.",
                "detail_en": f"Too many requests: at most {settings.PORTAL_API_REQUESTS_PER_MINUTE} per minute from "
                f"one address. Retry after {wait} seconds.",
                "retry_after": wait,
            },
            status=429,
            headers={"Retry-After": str(wait)},
        )
        return response
    if isinstance(exc, Http404):  # Django's message names the model, in English
        exc = exceptions.NotFound("Không tìm thấy.")
    # Imported here: rest_framework.views reads the settings' classes, this module's PerClient among them.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
