"""/du-lieu-mo/: the open data page, the DCAT catalogue and the bulk files."""

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from portal.tasks import publish

from . import bulk, datasets
from .models import DatasetFile
from .tasks import refresh

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
# How long after asking for a rebuild the page asks again (the task itself takes one lock for its whole run).
ASKED_SECONDS = 60


def ask_for_refresh() -> None:
    """Ask the worker to rebuild the files (at most once in ASKED_SECONDS). Without a worker (eager settings: a
    newcomer's machine, the tests) a page never builds them itself, which would make a GET write: `load_demo` and
    `manage.py refresh_open_data` do."""
    if refresh.app.conf.task_always_eager:
        return
    if cache.add("opendata:asked", 1, ASKED_SECONDS):
        publish(refresh)  # never raises: a broker down is logged, and beat asks again


@require_safe
def index(request):
    built = {f.dataset: f for f in DatasetFile.objects.all()}
    stale = bulk.stale()
    if stale:
        ask_for_refresh()
    entries = [
        {"dataset": d, "file": built.get(d.slug), "columns": bulk.columns(d), "api": f"/api/v1/{d.api}"}
        for d in bulk.ALL
    ]
    ctx = {
        "entries": entries,
        "stale": stale and not refresh.app.conf.task_always_eager,  # without a worker nothing would follow
        "building": cache.get(bulk.BUILDING_KEY) is not None,
        "licence_name": datasets.LICENCE_NAME,
        "licence_url": datasets.LICENCE_URL,
    }
    return render(request, "opendata/index.html", ctx)


@require_safe
def catalogue(request):
    response = JsonResponse(bulk.catalogue(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


@require_safe
def download(request, slug, fmt):
    if fmt not in FORMATS or slug not in bulk.BY_SLUG:
        raise Http404("Không có tệp dữ liệu này.")
    row = DatasetFile.objects.filter(dataset=slug).first()
    if row is None:
        ask_for_refresh()
        raise Http404("Tệp dữ liệu đang được chuẩn bị, hãy thử lại sau ít phút.")
    etag = f'"{row.sha256[:40]}-{fmt}"'
    modified = int(row.modified_at.timestamp())
    conditional = get_conditional_response(request, etag=etag, last_modified=modified)
    if conditional is not None:
        return conditional
    try:
        handle = default_storage.open(row.csv_name if fmt == "csv" else row.json_name, "rb")
    except OSError as exc:  # FileNotFoundError among them: removed by hand, or the store is unreachable
        ask_for_refresh()
        raise Http404("Tệp dữ liệu đang được chuẩn bị, hãy thử lại sau ít phút.") from exc
    response = FileResponse(handle, content_type=FORMATS[fmt], as_attachment=True, filename=f"{slug}.{fmt}")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
