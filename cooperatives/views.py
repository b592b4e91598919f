"""Public directory, statistics and PDFs; the officers' dashboard, notices and imports."""

import io

import tablib
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import staffcache
from portal.access import user_scope
from portal.contentcache import CachedCountPaginator, cached, query_key
from portal.exports import safe_dataset
from portal.models import AdministrativeUnit, Notification, SiteSettings
from portal.notify import mark_read
from portal.pagecache import NOTHING, anonymous_page, understands
from portal.pdf import pdf_response
from portal.storage import attachment_response, wants_inline
from portal.tasks import publish_on_commit
from portal.unitmap import TODAY_MAP, today_areas
from portal.uploads import display_name

from . import services, tasks
from .charts import bar_chart, column_chart
from .filters import CooperativeFilter, RegistryFilter, accounts_year, latest_evaluation_year
from .forms import ImportForm, ReportForm
from .models import CongressDocument, Cooperative, ImportJob, InvestmentSource, Notice, PilotInvestment, SizeClass
from .pilots import investment_outcomes, totals_by_year_and_source
from .resources import RESOURCES
from .selectors import (
    ACCOUNTS_KEPT,
    BOARD_EXPIRED,
    accounts_kept_count,
    board_expired_q,
    registry_as_of,
    registry_trend,
    with_board_status,
)

PAGE_SIZE = 20


def _directory_filter_form(data):
    return CooperativeFilter(data, queryset=Cooperative.objects.none()).form


def _today(request, *args, **kwargs) -> str:
    """Pages whose lists or flags depend on the date (boards out of term, last year's accounts) are kept per day."""
    return timezone.localdate().isoformat()


@anonymous_page(query=understands(page=True, form=_directory_filter_form, free_text=("q",)), vary=_today)
def directory(request: HttpRequest) -> HttpResponse:
    qs = Cooperative.objects.select_related("unit__parent").defer("search_text").order_by("name")
    filterset = CooperativeFilter(request.GET, queryset=qs)
    rows = filterset.qs if filterset.is_valid() else qs.none()
    key = f"directory:{query_key(request.GET)}:{_today(request)}"  # the board and accounts filters move by date
    page_obj = CachedCountPaginator(rows, PAGE_SIZE, count_key=key).get_page(request.GET.get("page"))
    ctx = {"filter": filterset, "page_obj": page_obj, "count": page_obj.paginator.count, "areas": today_areas()}
    return render(request, "cooperatives/directory.html", ctx)


@anonymous_page(query=NOTHING, vary=_today)
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    cooperative = get_object_or_404(_with_board(Cooperative.objects.select_related("unit__parent")), slug=slug)
    ctx = {
        "c": cooperative,
        "figures": cooperative.figures.order_by("-year")[:3] if cooperative.shows("figures") else [],
        "congresses": cooperative.congresses.filter(held_date__isnull=False).order_by("-held_date")[:5],
        "evaluation": cooperative.evaluations.order_by("-year").first(),
        "can_see_internal": user_scope(request.user).sees_unit(cooperative.unit_id),
        "is_pilot": cooperative.is_pilot_cooperative(),
        "place": cooperative.place(),
    }
    return render(request, "cooperatives/profile.html", ctx)


def _with_board(qs):
    """Rows with `has_board`, `board_in_term` and `board_expired` for today (cooperatives.selectors)."""
    today = timezone.localdate()
    expired = ExpressionWrapper(board_expired_q(today), output_field=BooleanField())
    return with_board_status(qs, today).annotate(board_expired=expired)


def profile_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    cooperative = get_object_or_404(Cooperative.objects.select_related("unit__parent"), slug=slug)
    ctx = {
        "c": cooperative,
        "org": SiteSettings.current(),
        "figures": cooperative.figures.order_by("-year")[:3] if cooperative.shows("figures") else [],
        "congresses": cooperative.congresses.filter(held_date__isnull=False).order_by("-held_date")[:5],
        "today": timezone.localdate(),
    }
    return pdf_response("pdf/cooperatives/profile.html", ctx, f"ho-so-{cooperative.slug}")


OLD_MAP = "truoc-2025"


def statistics(request: HttpRequest) -> HttpResponse:
    """Today's figures: by today's communes (the old units merged into them counted there), or by the districts the
    province had until 30/6/2025 (`?ban_do=truoc-2025`); the page says which, and the total is the same."""
    qs = Cooperative.objects.all()
    today_map = request.GET.get("ban_do") != OLD_MAP
    registry = registry_as_of(timezone.localdate(), today_map=today_map)
    counts = {**registry.summary(), "map_label": registry.map_label, "today_map": today_map}
    year = latest_evaluation_year()
    accounts = {"year": accounts_year(), "count": accounts_kept_count(year=accounts_year())}
    # A pass over every unit and its history: kept until the registry changes (or the day does).
    trend = cached(f"registry-trend:{counts['on']:%Y-%m-%d}", lambda: registry_trend(counts["on"]))
    ctx = {
        "counts": counts,
        "year": year,
        "charts": _charts(counts, qs, year),
        "accounts": accounts,
        "trend": trend,
        "trend_restored": any(row.restored for row in trend.rows),
        "trend_charts": _trend_charts(trend),
    }
    return render(request, "cooperatives/statistics.html", ctx)


def _trend_charts(trend):
    years = [row.year for row in trend.rows]
    return [
        column_chart(
            "Số đơn vị còn hoạt động cuối năm",
            years,
            [("Còn hoạt động", "chart-col-active", [r.active for r in trend.rows])],
        ),
        column_chart(
            "Thành lập mới và giải thể, phá sản trong năm",
            years,
            [
                ("Thành lập mới", "chart-col-founded", [r.founded for r in trend.rows]),
                ("Giải thể, phá sản", "chart-col-dissolved", [r.dissolved for r in trend.rows]),
            ],
        ),
    ]


def _charts(counts, qs, year):
    where = "Theo xã, phường hiện nay" if counts.get("today_map") else "Theo địa bàn (huyện, thị xã, thành phố cũ)"
    charts = [
        bar_chart(where, counts["by_unit"]),
        bar_chart("Theo lĩnh vực", counts["by_sector"]),
        bar_chart("Theo tình trạng", counts["by_status"]),
    ]
    if year:
        charts.append(bar_chart(f"Xếp loại năm {year}", services.grade_counts(qs, year)))
    return charts


def _scoped(request) -> "tuple":
    scope = user_scope(request.user)
    if not scope.everything and not scope.unit_ids:
        raise Http404
    return scope, Cooperative.objects.for_user(request.user)


def _units(scope):
    """The unit ids a scoped count covers (None: the whole province)."""
    return None if scope.everything else scope.unit_ids


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope, qs = _scoped(request)
    return staffcache.page(request, lambda: _dashboard(request, scope, qs))


def _dashboard(request: HttpRequest, scope, qs) -> HttpResponse:
    today = timezone.localdate()
    today_map = request.GET.get("ban_do") == TODAY_MAP  # the chart by area on today's communes
    registry = registry_as_of(today, units=_units(scope), today_map=today_map)
    counts = {**registry.summary(), "today_map": today_map}
    year = latest_evaluation_year()
    ctx = {
        "today": today,
        "counts": counts,
        "charts": _charts(counts, qs, year),
        "year": year,
        "compliance": services.congress_compliance(qs, on=today),
        "targets": services.targets_by_unit(year=today.year, scope=scope),
        "trained": services.boards_trained(qs, year=today.year, registry=registry),
        "overdue": qs.annual_congress_overdue(today).select_related("unit")[:50],
        "report_form": ReportForm(initial={"year": today.year - 1}),
        "pilot_count": qs.pilots().count(),
        "invested": totals_by_year_and_source(PilotInvestment.objects.filter(cooperative__in=qs)),
        "boards_expired": qs.filter(board_expired_q(today)).count(),
        "accounts": {"year": accounts_year(), "count": accounts_kept_count(year=accounts_year(), qs=qs)},
        "directory_query": _directory_query(scope),
        "board_expired_value": BOARD_EXPIRED,
        "accounts_kept_value": ACCOUNTS_KEPT,
    }
    return render(request, "cooperatives/dashboard.html", ctx)


def _directory_query(scope) -> str:
    """The directory's `unit=` for an officer whose scope is one district, so its lists match the dashboard's counts."""
    if scope.everything:
        return ""
    districts = list(
        AdministrativeUnit.objects.filter(pk__in=scope.unit_ids, level=AdministrativeUnit.Level.DISTRICT).values_list(
            "pk", flat=True
        )
    )
    return f"unit={districts[0]}&" if len(districts) == 1 else ""


@login_required
def pilot_cooperatives(request: HttpRequest) -> HttpResponse:
    """The pilot cooperatives the user's scope covers, with what each received (the dashboard's count links here)."""
    _scope, qs = _scoped(request)
    rows = (
        qs.pilots()
        .select_related("unit")
        .defer("search_text")
        .annotate(invested=Sum("investments__amount"), investments_count=Count("investments"))
        .order_by("name")
    )
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "cooperatives/pilot_cooperatives.html", {"page_obj": page_obj, "count": rows.count()})


def _int_param(request, name) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 4 else None


@login_required
def pilot_investments(request: HttpRequest) -> HttpResponse:
    """Investments in the user's scope, by year (?nam=) and source (?nguon=), with their total."""
    _scope, qs = _scoped(request)
    year, source = _int_param(request, "nam"), request.GET.get("nguon", "")
    rows = PilotInvestment.objects.filter(cooperative__in=qs).select_related("cooperative__unit")
    if year is not None:
        rows = rows.filter(year=year)
    if source in InvestmentSource.values:
        rows = rows.filter(source=source)
    else:
        source = ""
    rows = rows.order_by("-year", "cooperative__name", "id")
    summary = rows.aggregate(amount=Sum("amount"), count=Count("id"))
    ctx = {
        "page_obj": Paginator(rows, 50).get_page(request.GET.get("page")),
        "year": year,
        "source_label": InvestmentSource(source).label if source else "",
        "amount": summary["amount"] or 0,
        "count": summary["count"],
    }
    return render(request, "cooperatives/pilot_investments.html", ctx)


@login_required
def registry_list(request: HttpRequest) -> HttpResponse:
    """The registry for officers and staff, within their scope, with the scorecard's conditions on a date."""
    _scope, qs = _scoped(request)
    filterset = RegistryFilter(request.GET, queryset=qs.select_related("unit__parent").order_by("name"))
    rows = filterset.qs if filterset.is_valid() else qs.none()
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"filter": filterset, "page_obj": page_obj, "count": page_obj.paginator.count, "areas": today_areas()}
    return render(request, "cooperatives/registry_list.html", ctx, status=200 if filterset.is_valid() else 400)


@login_required
def internal_profile(request: HttpRequest, slug: str) -> HttpResponse:
    _scope, qs = _scoped(request)
    cooperative = get_object_or_404(_with_board(qs.select_related("unit__parent", "notified_commune")), slug=slug)
    today = timezone.localdate()
    ctx = {
        "c": cooperative,
        "today": today,
        "people": cooperative.people.prefetch_related("positions", "trainings"),
        "figures": cooperative.figures.order_by("-year"),
        "congresses": cooperative.congresses.prefetch_related("documents").order_by("-held_date", "-planned_date"),
        "evaluations": cooperative.evaluations.prefetch_related("plans__progress").order_by("-year"),
        "annual_due": cooperative.next_annual_congress_due(today),
        "annual_overdue": cooperative.is_annual_congress_overdue(today),
        "term_due": cooperative.next_term_congress_due(today),
        "long_gap": cooperative.months_without_annual_congress_exceeded(today),
        "size": _size_label(cooperative.size_class()),
        "history": cooperative.history.select_related("history_user")[:10],
        "is_pilot": cooperative.is_pilot_cooperative(),
        "outcomes": investment_outcomes(cooperative),
    }
    return render(request, "cooperatives/internal_profile.html", ctx)


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    scope, qs = _scoped(request)
    form = ReportForm(request.GET or None)
    valid = form.is_valid()
    year = form.cleaned_data["year"] if valid else timezone.localdate().year - 1
    today_map = valid and form.cleaned_data["ban_do"] == TODAY_MAP
    ctx = {
        "org": SiteSettings.current(),
        "report": services.registry_report(qs, year=year, units=_units(scope), today_map=today_map),
        "today": timezone.localdate(),
    }
    name = f"bao-cao-so-dang-ky-htx-{year}" + ("-dia-gioi-hien-nay" if today_map else "")
    return pdf_response("pdf/cooperatives/registry_report.html", ctx, name)


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """Congress reminders now land in the user's one inbox (portal.Notification): old links go there."""
    return redirect("notifications:inbox")


@login_required
@require_POST
def notices_mark_read(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    Notice.objects.for_user(request.user).filter(read_at__isnull=True).update(read_at=now)
    mark_read(Notification.objects.for_user(request.user), now)
    messages.success(request, "Đã đánh dấu tất cả thông báo là đã đọc.")
    return redirect("notifications:inbox")


@login_required
def congress_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Minutes or a resolution, for users whose scope sees the cooperative's unit; a 404 for anyone else."""
    visible = CongressDocument.objects.filter(congress__cooperative__in=Cooperative.objects.for_user(request.user))
    document = get_object_or_404(visible, pk=pk)
    return attachment_response(document.file, document.original_name, inline=wants_inline(request))


# Imports and exports (staff) ----------------------------------------------------------------------------------------


@staff_member_required
def import_start(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cooperatives.add_cooperative"):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            resource=form.cleaned_data["resource"],
            file=upload,
            original_name=display_name(upload.name),
            created_by=request.user,
        )
        publish_on_commit(tasks.import_check, job.pk)  # broker down: the job waits for sweep_import_jobs
        return redirect("cooperatives:import_job", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:20]
    return render(request, "cooperatives/import_start.html", {"form": form, "jobs": jobs, "resources": RESOURCES})


def _visible_job(request, pk) -> ImportJob:
    """An import (its rows and errors carry personal data): for the staff member who uploaded it or province-wide
    staff; anyone else gets the same 404 as for a job that does not exist."""
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not user_scope(request.user).everything:
        raise Http404("Không tìm thấy lượt nhập.")
    return job


@staff_member_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    return render(request, "cooperatives/import_job.html", {"job": job, "label": RESOURCES[job.resource][0]})


@staff_member_required
def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    return attachment_response(job.file, job.original_name)


@staff_member_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    # Confirming writes the rows into the registry: the same right as starting an import.
    if not request.user.has_perm("cooperatives.add_cooperative"):
        raise Http404
    _visible_job(request, pk)
    # processed_rows=0: the progress bar starts again for the real run.
    claimed = ImportJob.objects.filter(pk=pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.IMPORTING, processed_rows=0
    )
    if claimed:
        publish_on_commit(tasks.import_apply, pk)
    else:
        messages.error(request, "Lượt nhập này không ở trạng thái chờ xác nhận.")
    return redirect("cooperatives:import_job", pk=pk)


@staff_member_required
def import_template(request: HttpRequest, resource: str, fmt: str) -> HttpResponse:
    if resource not in RESOURCES:
        raise Http404
    headers = [f.column_name for f in RESOURCES[resource][1]().get_import_fields()]
    return _file_response(tablib.Dataset(headers=headers), f"mau-{resource}", fmt)


@staff_member_required
def export(request: HttpRequest, resource: str, fmt: str) -> HttpResponse:
    if resource not in RESOURCES or not request.user.has_perm("cooperatives.view_cooperative"):
        raise Http404
    resource_obj = RESOURCES[resource][1]()
    qs = resource_obj.get_queryset()
    visible = Cooperative.objects.for_user(request.user)
    qs = qs.filter(pk__in=visible) if qs.model is Cooperative else qs.filter(cooperative__in=visible)
    if qs.model is not Cooperative:
        qs = qs.select_related("cooperative")
    else:
        qs = qs.select_related("unit")
    return _file_response(resource_obj.export(queryset=qs), resource, fmt)


def _file_response(dataset, stem: str, fmt: str) -> HttpResponse:
    dataset = safe_dataset(dataset)
    if fmt == "csv":
        content = ("\ufeff" + dataset.export("csv")).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content = dataset.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(io.BytesIO(content).getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _size_label(value):
    return SizeClass(value).label if value else None
