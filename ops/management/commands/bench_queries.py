import json
import statistics
import time
from contextlib import ExitStack

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from cooperatives.models import Cooperative
from directives.models import Document, Report
from fund.models import Loan, Payment
from ops import seeding
from ops.bench import pages as bench_pages
from portal.models import Agency, User
from public.models import Article, DailyVisit


class _Null:
    def write(self, *args, **kwargs):
        pass


def _rows() -> dict:
    return {
        "cooperatives": Cooperative.objects.count(),
        "documents": Document.objects.count(),
        "agencies": Agency.objects.count(),
        "articles": Article.objects.count(),
        "loans": Loan.objects.count(),
        "payments": Payment.objects.count(),
        "reports": Report.objects.count(),
        "visit_days": DailyVisit.objects.count(),
    }


CPU_SAMPLES = 10


def cpu_ms(client, path, samples_wanted: int = CPU_SAMPLES) -> float:
    """Median CPU time of this process per warm request (ms): steadier than wall time on a shared machine;
    excludes the database server's own time."""
    samples = []
    for _ in range(samples_wanted):
        started = time.process_time()
        client.get(path, secure=True)
        samples.append(time.process_time() - started)
    return round(statistics.median(samples) * 1000, 2)


def measure_pages(page_list, cpu_samples: int = CPU_SAMPLES) -> dict:
    """Queries of a cold (empty cache) and a warm (second) request of each page, through the test client,
    and the median CPU time of a warm request."""
    results = {}
    for page in page_list:
        cache.clear()
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        path = bench_pages.resolve(page.path)
        if page.login:
            user = User.objects.filter(username=page.login).first()
            if user is None:
                results[page.name] = {"path": path, "error": f"no account {page.login}"}
                continue
            client.force_login(user)
        counts, statuses = [], []
        for _ in range(2):
            with ExitStack() as stack:  # every alias: with a replica configured, reads go there
                captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
                response = client.get(path, secure=True)
            counts.append(sum(len(c.captured_queries) for c in captured))
            statuses.append(response.status_code)
        results[page.name] = {
            "path": path,
            "status": statuses,
            "queries_cold": counts[0],
            "queries_warm": counts[1],
            "cpu_ms": cpu_ms(client, path, cpu_samples),
        }
    return results


class Command(BaseCommand):
    help = (
        "Đếm số truy vấn SQL của mỗi trang trong ops/bench/pages.py, ở cỡ dữ liệu mẫu (dữ liệu quy mô được xóa tạm "
        "trong một giao dịch rồi khôi phục) và ở cỡ hiện có."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", nargs="+", choices=["demo", "scale"], default=["demo", "scale"])
        parser.add_argument("--output", metavar="FILE", help="Ghi kết quả ra tệp JSON.")
        parser.add_argument(
            "--cpu-samples", type=int, default=CPU_SAMPLES, metavar="N", help="Số lượt đo CPU mỗi trang (trung vị)."
        )

    def handle(self, *args, **options):
        report = {}
        # A private local-memory cache so measuring neither reads nor spoils the server's Redis cache.
        with override_settings(
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"},
                "counters": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-counters"},
            },
            ALLOWED_HOSTS=["127.0.0.1"],
        ):
            for size in options["sizes"]:
                with transaction.atomic():
                    if size == "demo":
                        sizes = {seeder.name: 0 for seeder in seeding.seeders()}
                        seeding.run(sizes=sizes, out=_Null(), reset_only=True)
                    page_list = bench_pages.PAGES
                    if settings.PORTAL_BENCH_ENDPOINTS:
                        page_list = [bench_pages.BARE, *page_list]
                    report[size] = {"rows": _rows(), "pages": measure_pages(page_list, options["cpu_samples"])}
                    transaction.set_rollback(True)
        for size, data in report.items():
            self.stdout.write(f"{size}: {data['rows']}")
            for name, result in data["pages"].items():
                if "error" in result:
                    self.stdout.write(f"  {name:<40} {result['error']}")
                else:
                    self.stdout.write(
                        f"  {name:<40} {result['status']} truy vấn: {result['queries_cold']} lần đầu, "
                        f"{result['queries_warm']} lần sau; CPU {result['cpu_ms']} ms/lượt"
                    )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                json.dump(report, handle, indent=2, ensure_ascii=False)
