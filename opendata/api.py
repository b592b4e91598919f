"""The read-only JSON API at /api/v1/ (Django REST framework, OpenAPI 3 schema by drf-spectacular).

Anonymous only: no session or token is read, so a signed-in member of staff sees what the public sees. Each answer
is built once per data version (opendata.datasets.data_version) and query, and kept in the cache with its ETag (a
hash of its bytes) and the time that body was first built (Last-Modified): a repeated request costs two cache
reads and no query, and a client that sends If-None-Match or If-Modified-Since gets 304. Every request, cached or
not, counts against its client's limit (PerClient), checked before anything else.
"""

import hashlib
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from portal import contentcache
from portal.replica import primary_reads

from . import datasets, filters
from . import serializers as ours

CACHE_CONTROL = "public, max-age=60"


# --- cached answers ---------------------------------------------------------------------------------------------


PAGING = ("page", "page_size")
FREE_TEXT = "q"


def _answer(request, build, understood=(), *, paged=False) -> HttpResponse:
    """The body `build()` gives for this path and query under today's data version, from the cache when built
    before; 304 when the client holds it already.

    The cache key holds only the parameters the endpoint understands (`understood`, and the paging for a list), so
    made-up ones cannot fill the cache with copies; a free-text search (`q`) is answered without the cache, as the
    site's own search pages are."""
    names = {*understood, *(PAGING if paged else ())}
    known = [(k, v) for k in sorted(set(request.GET) & names) for v in request.GET.getlist(k)]
    digest = hashlib.sha1(f"{request.path}?{known!r}".encode()).hexdigest()
    name = f"opendata:api:{digest}:{datasets.data_version()}"

    def fresh():
        # contentcache.cached reads the primary after a bump of the content version; this, after one of our own.
        with primary_reads(datasets.own_state()[1]):
            body, etag = _built(build)
        return body, etag, _since(digest, etag)

    if FREE_TEXT in understood and request.GET.get(FREE_TEXT, "").strip():
        body, etag = _built(build)  # nothing kept for a search: any text would leave keys behind
        modified = int(time.time())
    else:
        body, etag, modified = contentcache.cached(name, fresh)
    conditional = get_conditional_response(request, etag=etag, last_modified=modified)
    if conditional is not None:  # 304 (or 412 for a failed If-Match)
        conditional["ETag"] = etag
        conditional["Cache-Control"] = CACHE_CONTROL
        return conditional
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _built(build) -> tuple[bytes, str]:
    body = JSONRenderer().render(build())
    return body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


SINCE_SECONDS = 30 * 86400


def _since(digest: str, etag: str) -> int:
    """When this request's answer last changed: kept per request with the ETag it was for, and moved to now when
    the ETag differs, so that an answer changing back to an earlier body still gets a later date."""
    key = f"opendata:since:{digest}"
    stored = cache.get(key)
    if stored is not None and stored[0] == etag:
        return stored[1]
    now = int(time.time())
    cache.set(key, (etag, now), SINCE_SECONDS)
    return now


ERRORS = {
    400: OpenApiResponse(description="Tham số lọc không hợp lệ (thông báo cho từng tham số)."),
    404: OpenApiResponse(description="Không tìm thấy (hoặc trang vượt quá số trang)."),
    429: OpenApiResponse(
        response=inline_serializer(
            "TooManyRequests",
            {
                "detail": serializers.CharField(),
                "detail_en": serializers.CharField(),
                "retry_after": serializers.IntegerField(),
            },
        ),
        description="Vượt giới hạn số yêu cầu mỗi phút; header Retry-After cho biết số giây phải chờ.",
    ),
}


class Published(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A dataset's list and its items, answered through the cache (`_answer`)."""

    dataset: datasets.Dataset
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"  # what a slug or a code can be: anything else is a 404 before any query

    def filter_queryset(self, queryset):
        if self.action == "retrieve":  # an item is found by its key alone: the list's filters do not apply
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self):
        return self.dataset.rows()

    def get_serializer_class(self):
        return self.dataset.serializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **self.dataset.context()}

    def list(self, request, *args, **kwargs):
        filterset = getattr(self, "filterset_class", None)
        understood = list(filterset.base_filters) if filterset is not None else []
        build = lambda: super(Published, self).list(request, *args, **kwargs).data  # noqa: E731
        return _answer(request, build, understood, paged=True)

    def retrieve(self, request, *args, **kwargs):
        return _answer(request, lambda: super(Published, self).retrieve(request, *args, **kwargs).data)


def _described(dataset: datasets.Dataset, tag: str, list_text: str, item_text: str):
    """The schema's words for a dataset's two endpoints, with the error answers each may give."""
    item = dataset.serializer
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=list_text,
            responses={200: item(many=True), 400: ERRORS[400], 404: ERRORS[404], 429: ERRORS[429]},
        ),
        retrieve=extend_schema(
            tags=[tag], summary=item_text, responses={200: item, 404: ERRORS[404], 429: ERRORS[429]}
        ),
    )


@_described(
    datasets.BY_SLUG["hop-tac-xa"],
    "Hợp tác xã",
    "Danh bạ hợp tác xã, liên hiệp và tổ hợp tác",
    "Một hợp tác xã, liên hiệp hoặc tổ hợp tác",
)
class CooperativeViewSet(Published):
    dataset = datasets.BY_SLUG["hop-tac-xa"]
    filterset_class = filters.CooperativeFilterByCode


@_described(datasets.BY_SLUG["van-ban"], "Văn bản", "Văn bản công khai", "Một văn bản")
class DocumentViewSet(Published):
    dataset = datasets.BY_SLUG["van-ban"]
    filterset_class = filters.DocumentFilterForApi


@_described(datasets.BY_SLUG["tin-tuc"], "Tin tức", "Tin bài đã đăng", "Một tin bài")
class ArticleViewSet(Published):
    dataset = datasets.BY_SLUG["tin-tuc"]
    filterset_class = filters.ArticleFilter


@_described(
    datasets.BY_SLUG["tham-do"],
    "Thăm dò ý kiến",
    "Kết quả các cuộc thăm dò đã đóng",
    "Kết quả một cuộc thăm dò đã đóng",
)
class PollViewSet(Published):
    dataset = datasets.BY_SLUG["tham-do"]
    filter_backends = []


@_described(
    datasets.BY_SLUG["quy-san-pham-vay"],
    "Quỹ hỗ trợ phát triển HTX",
    "Sản phẩm cho vay đang áp dụng",
    "Một sản phẩm cho vay",
)
class LoanProductViewSet(Published):
    dataset = datasets.BY_SLUG["quy-san-pham-vay"]
    lookup_field = "code"
    filter_backends = []


@_described(datasets.BY_SLUG["don-vi-hanh-chinh"], "Đơn vị hành chính và cơ quan", "Đơn vị hành chính", "Một đơn vị")
class UnitViewSet(Published):
    dataset = datasets.BY_SLUG["don-vi-hanh-chinh"]
    lookup_field = "code"
    filterset_class = filters.UnitFilter


@_described(datasets.BY_SLUG["co-quan"], "Đơn vị hành chính và cơ quan", "Cơ quan, đơn vị", "Một cơ quan")
class AgencyViewSet(Published):
    dataset = datasets.BY_SLUG["co-quan"]
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = filters.AgencyFilter


class FundFiguresView(APIView):
    @extend_schema(
        tags=["Quỹ hỗ trợ phát triển HTX"],
        summary="Số liệu công khai của Quỹ: vốn, số khoản vay, số tiền giải ngân theo xã, phường và lĩnh vực",
        description=f"Chỉ số liệu tổng hợp. Nhóm dưới {datasets.MIN_BORROWERS} hợp tác xã vay, và xã, phường mà 2 hợp "
        "tác xã vay nhiều nhất chiếm trên 85% số tiền, được gộp vào dòng “khac” để không lộ khoản vay của một hợp tác "
        "xã.",
        responses={200: ours.FundFiguresSerializer, 429: ERRORS[429]},
    )
    def get(self, request):
        return _answer(request, lambda: ours.FundFiguresSerializer(datasets.fund_figures()).data)
