"""Running an import: read the file, check every row (dry run), then write all rows or none.

Large files run as Celery tasks (cooperatives.tasks); progress goes to the cache, which other requests can read
while the import's own transaction is still open.
"""

import io
import time

import tablib
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.uploads import validate_upload

from .models import ImportJob
from .resources import RESOURCES

PREVIEW_ROWS = 20


def validate_import_file(upload) -> None:
    """By name, size and content (portal.uploads): an .xlsx must be a real workbook, a .csv UTF-8 text."""
    validate_upload(upload, "imports")


def load_dataset(content: bytes, name: str) -> tablib.Dataset:
    if name.lower().endswith(".csv"):
        return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    # Drop rows left entirely blank at the end of a sheet.
    keep = [row for row in dataset if any(cell not in (None, "") for cell in row)]
    cleaned = tablib.Dataset(headers=[str(h).strip() if h else "" for h in dataset.headers])
    for row in keep:
        cleaned.append(row)
    return cleaned


def _error_rows(resource, result) -> list[dict]:
    headers = {f.attribute: f.column_name for f in resource.get_import_fields()}
    errors = [{"row": None, "messages": [str(e.error)]} for e in result.base_errors]
    for invalid in result.invalid_rows:
        messages = []
        for field, field_errors in invalid.error_dict.items():
            column = headers.get(field, "")
            for message in field_errors:
                messages.append(f"{column}: {message}" if column else str(message))
        errors.append({"row": invalid.number + 1, "messages": messages})
    for number, row_errors in result.row_errors():
        errors.append({"row": number + 1, "messages": [str(e.error) for e in row_errors]})
    return sorted(errors, key=lambda e: e["row"] or 0)


def run_import(*, resource_key: str, dataset: tablib.Dataset, dry_run: bool, progress=None) -> dict:
    """Check (dry_run) or write every row of `dataset`; any bad row means nothing is written.

    Row numbers in the answer are spreadsheet row numbers (the header is row 1).
    """
    resource = RESOURCES[resource_key][1]()
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        progress=progress,
    )
    errors = _error_rows(resource, result)
    totals = result.totals
    preview = []
    if not errors:
        for row in list(dataset.dict)[:PREVIEW_ROWS]:
            preview.append([str(v) if v is not None else "" for v in row.values()])
    return {
        "ok": not errors,
        "errors": errors,
        "new": totals.get("new", 0),
        "updated": totals.get("update", 0),
        "headers": list(dataset.headers or []),
        "preview": preview,
    }


def job_check(*, job_id: int) -> None:
    """Dry run of a pending job; idempotent: a checked job is not checked again.

    The status goes to CHECKING at once (the job page shows it); the check itself holds the job's row lock, so a
    second delivery waits and then finds the job checked, while a delivery after a killed worker (status still
    CHECKING, lock gone with the dead connection) checks it again.
    """
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(status=ImportJob.Status.CHECKING)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.CHECKING:
            return
        _run(job_id, dry_run=True, job=job)


def job_apply(*, job_id: int) -> None:
    """Write a confirmed job's rows; idempotent (the row lock and status make a second run a no-op)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.IMPORTING:
            return
        _run(job_id, dry_run=False, job=job)


def _run(job_id: int, *, dry_run: bool, job: ImportJob | None = None) -> None:
    job = job or ImportJob.objects.get(pk=job_id)
    started = time.monotonic()
    key = job.progress_cache_key()
    try:
        with job.file.open("rb") as handle:
            dataset = load_dataset(handle.read(), job.original_name)
        job.total_rows = len(dataset)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
        cache.set(key, 0, 3600)
        outcome = run_import(
            resource_key=job.resource,
            dataset=dataset,
            dry_run=dry_run,
            progress=lambda n: cache.set(key, n, 3600),
        )
    except Exception as exc:  # noqa: BLE001 - an unreadable file must end as a visible failure, not a stuck job
        outcome = {"ok": False, "errors": [{"row": None, "messages": [f"Không đọc được tệp: {exc}"]}]}
        outcome.update(new=0, updated=0, headers=[], preview=[])
    if outcome["ok"]:
        status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    else:
        status = ImportJob.Status.INVALID if dry_run else ImportJob.Status.FAILED
    job.status = status
    job.errors = outcome["errors"]
    job.new_rows = outcome["new"]
    job.updated_rows = outcome["updated"]
    job.processed_rows = job.total_rows
    job.preview = {"headers": outcome["headers"], "rows": outcome["preview"]}
    job.seconds = round(time.monotonic() - started, 2)
    job.finished_at = timezone.now() if not dry_run or not outcome["ok"] else None
    job.save()
    cache.delete(key)
