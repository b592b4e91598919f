"""The timed jobs of `make bench`, one line each: wall time and peak memory, each in a fresh subprocess.

callable: dotted path of the function timed; setup: dotted path of a function run first, untimed, whose
returned dict is passed to the callable as keyword arguments. A job whose callable does not import yet is
reported as "not yet available" (its app has not landed): it is listed with the path it is expected at, so
enabling it is editing that path if the app chose another name. Each job runs inside a transaction that is
rolled back, so jobs that write (the import) leave the bench database as seeded. Targets: ops/bench/NOTES.md.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    callable: str
    setup: str | None = None
    target_seconds: float | None = None


JOBS = [
    Job(
        "nightly arrears snapshot, 5,000 loans",
        "fund.tasks.snapshot_portfolio",  # the beat task itself, run in this process (today's date)
        target_seconds=60,
    ),
    Job(
        "import 10,000 cooperatives from xlsx (check, then write)",
        "ops.bench.jobs.import_cooperatives",
        setup="ops.bench.jobs.cooperatives_xlsx",
        target_seconds=60,
    ),
    Job(
        "registry report PDF, 10,000 cooperatives",
        "ops.bench.jobs.registry_report_pdf",
        setup="ops.bench.jobs.registry_report_request",
    ),
    # The reverse of the import, no target of its own.
    Job(
        "export every cooperative to xlsx (django-import-export)",
        "ops.bench.jobs.export_cooperatives_xlsx",
    ),
]

IMPORT_ROWS = 10_000
REPORT_YEAR = 2021  # the last year of the scale cooperatives' figures (cooperatives.scale.YEARS)


def cooperatives_xlsx(rows: int = IMPORT_ROWS) -> dict:
    """An xlsx of `rows` new cooperatives in the import template's columns: the one `manage.py
    make_import_sample` writes (registration codes 77..., not used by the demo or the scale data)."""
    from cooperatives.management.commands.make_import_sample import sample_dataset

    return {"data": sample_dataset(rows).export("xlsx"), "rows": rows}


def import_cooperatives(data: bytes, rows: int) -> None:
    """What the staff's import does with an uploaded file (cooperatives.importing.job_check, then job_apply once
    confirmed): read it, check every row (dry run), then write every row."""
    from cooperatives.importing import load_dataset, run_import

    for dry_run in (True, False):
        outcome = run_import(
            resource_key="cooperatives", dataset=load_dataset(data, "htx.xlsx"), dry_run=dry_run, progress=None
        )
        if not outcome["ok"] or outcome["new"] != rows:
            raise RuntimeError(f"import {'check' if dry_run else 'write'} failed: {outcome['errors'][:3]}")


def registry_report_request() -> dict:
    """A GET of the registry report PDF by the alliance's staff (who see every cooperative)."""
    from django.test import RequestFactory

    from portal.models import User

    request = RequestFactory(SERVER_NAME="localhost").get("/hop-tac-xa/quan-ly/bao-cao.pdf", {"year": REPORT_YEAR})
    request.user = User.objects.get(username="lienminh")
    return {"request": request}


def registry_report_pdf(request) -> None:
    """The registry report view itself (cooperatives.views.report_pdf): queries, template and WeasyPrint."""
    from cooperatives.views import report_pdf

    response = report_pdf(request)
    if response.status_code != 200 or not response.content.startswith(b"%PDF"):
        raise RuntimeError(f"registry report answered {response.status_code}")


def export_cooperatives_xlsx() -> int:
    """Every cooperative (with its unit) to xlsx bytes through django-import-export; returns the size."""
    from import_export.resources import modelresource_factory

    from cooperatives.models import Cooperative

    resource = modelresource_factory(Cooperative)()
    dataset = resource.export(Cooperative.objects.select_related("unit").order_by("pk"))
    return len(dataset.export("xlsx"))
