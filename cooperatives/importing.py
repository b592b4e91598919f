"""Running an import: read the file, check every row (dry run), then write all rows or none.

Files are read by the kernel's spreadsheet reader (portal.spreadsheets): the header row is found among title rows,
headers are matched by their folded text and each resource's synonyms, every text cell is normalised, and rows keep
the sheet's own numbers, which every error names.

Large files run as Celery tasks (cooperatives.tasks); progress goes to the cache, which other requests can read
while the import's own transaction is still open.
"""

import time

import tablib
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.formatting import group_thousands, vn_date
from portal.spreadsheets import Columns, RawRow, cell_text, read_rows, table
from portal.uploads import validate_upload

from .models import ImportJob
from .resources import RESOURCES, VNDateWidget, VNNumberWidget

PREVIEW_ROWS = 20


def validate_import_file(upload) -> None:
    """By name, size and content (portal.uploads): an .xlsx must be a real workbook, a .csv UTF-8 text."""
    validate_upload(upload, "imports")


class SheetDataset(tablib.Dataset):
    """The rows of a sheet under canonical headers, with each row's number in the sheet, the rows refused while
    reading (a control character, a formula without a value), what is wrong with the sheet as a whole and the
    known columns read past (district, notes ...)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_numbers: list[int] = []
        self.problems: list[dict] = []
        self.sheet_errors: list[str] = []
        self.ignored: list[str] = []


def preview_cell(widget, value) -> str:
    """A cell of the preview as the import reads it, written the Vietnamese way (31/12/2024, 1.500.000); a value
    the column cannot read is shown as typed (its row has an error)."""
    try:
        if isinstance(widget, VNNumberWidget):
            number = widget.clean(value)
            return "" if number is None else group_thousands(number)
        if isinstance(widget, VNDateWidget):
            return vn_date(widget.clean(value))
    except ValueError:
        pass
    return cell_text(value)


def columns_for(resource_key: str) -> Columns:
    resource = RESOURCES[resource_key][1]()
    synonyms = {f.column_name: resource.SYNONYMS.get(f.column_name, ()) for f in resource.fields.values()}
    return Columns(synonyms, required=tuple(resource.HEADERS_REQUIRED), ignored=resource.HEADERS_IGNORED)


def sheet_dataset(rows: list[RawRow], resource_key: str) -> SheetDataset:
    found = table(rows, columns_for(resource_key))
    data = SheetDataset(headers=found.headers)
    data.sheet_errors = found.errors
    data.ignored = found.ignored
    for row in found.rows:
        if row.problems:
            data.problems.append({"row": row.number, "messages": row.problems})
        else:
            data.append([row.values[h] for h in found.headers])
            data.row_numbers.append(row.number)
    return data


def load_dataset(content: bytes, name: str, resource_key: str = "cooperatives") -> SheetDataset:
    """A .csv or the first sheet of an .xlsx, read for the columns of `resource_key`."""
    return sheet_dataset(read_rows(content, name), resource_key)


def as_sheet(dataset: tablib.Dataset, resource_key: str) -> SheetDataset:
    """A dataset read by tablib or built in code goes through the same reading: its header is row 1."""
    if isinstance(dataset, SheetDataset):
        return dataset
    rows = [RawRow(1, list(dataset.headers or []))]
    rows += [RawRow(number, list(values)) for number, values in enumerate(dataset, start=2)]
    return sheet_dataset(rows, resource_key)


def _error_rows(resource, result, row_numbers: list[int]) -> list[dict]:
    headers = {f.attribute: f.column_name for f in resource.get_import_fields()}
    errors = [{"row": None, "messages": [str(e.error)]} for e in result.base_errors]
    for invalid in result.invalid_rows:
        messages = []
        for field, field_errors in invalid.error_dict.items():
            column = headers.get(field, "")
            for message in field_errors:
                messages.append(f"{column}: {message}" if column else str(message))
        errors.append({"row": row_numbers[invalid.number - 1], "messages": messages})
    for number, row_errors in result.row_errors():
        errors.append({"row": row_numbers[number - 1], "messages": [str(e.error) for e in row_errors]})
    return errors


def run_import(*, resource_key: str, dataset: tablib.Dataset, dry_run: bool, progress=None) -> dict:
    """Check (dry_run) or write every row of `dataset`; any bad row means nothing is written.

    Row numbers in the answer are the sheet's own (for a dataset built in code, the header is row 1).
    """
    data = as_sheet(dataset, resource_key)
    outcome = {"ok": False, "new": 0, "updated": 0, "headers": list(data.headers or []), "preview": []}
    outcome["ignored"] = data.ignored
    if data.sheet_errors:
        return outcome | {"errors": [{"row": None, "messages": data.sheet_errors}]}
    resource = RESOURCES[resource_key][1]()
    result = resource.import_data(
        data,
        dry_run=dry_run or bool(data.problems),  # a row refused while reading: check the others, write nothing
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        progress=progress,
    )
    errors = sorted(_error_rows(resource, result, data.row_numbers) + data.problems, key=lambda e: e["row"] or 0)
    totals = result.totals
    if not errors:
        by_header = {resource.fields[f].column_name: resource.fields[f].widget for f in resource.fields}
        for row in list(data.dict)[:PREVIEW_ROWS]:
            outcome["preview"].append([preview_cell(by_header.get(h), v) for h, v in row.items()])
    return outcome | {
        "ok": not errors,
        "errors": errors,
        "new": totals.get("new", 0),
        "updated": totals.get("update", 0),
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
            dataset = load_dataset(handle.read(), job.original_name, job.resource)
        job.total_rows = len(dataset) + len(dataset.problems)  # rows refused while reading are rows of the sheet too
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
        outcome.update(new=0, updated=0, headers=[], preview=[], ignored=[])
    if outcome["ok"]:
        status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    else:
        status = ImportJob.Status.INVALID if dry_run else ImportJob.Status.FAILED
    job.status = status
    job.errors = outcome["errors"]
    job.new_rows = outcome["new"]
    job.updated_rows = outcome["updated"]
    job.processed_rows = job.total_rows
    job.preview = {"headers": outcome["headers"], "rows": outcome["preview"], "ignored": outcome["ignored"]}
    job.seconds = round(time.monotonic() - started, 2)
    job.finished_at = timezone.now() if not dry_run or not outcome["ok"] else None
    job.save()
    cache.delete(key)
