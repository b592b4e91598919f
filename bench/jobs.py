"""The timed jobs of `make bench`, one line each: wall time and peak memory, each in a fresh subprocess.

callable: dotted path of the function timed; setup: dotted path of a function run first, untimed, whose
returned dict is passed to the callable as keyword arguments. A job whose callable does not import yet is
reported as "not yet available" (its app has not landed): it is listed with the path it is expected at, so
enabling it is editing that path if the app chose another name. Each job runs inside a transaction that is
rolled back, so jobs that write (the import) leave the bench database as seeded. Targets from issue 7.
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
        "fund.services.arrears_snapshot_all",
        target_seconds=60,
    ),
    Job(
        "import 10,000 cooperatives from xlsx",
        "cooperatives.imports.import_cooperatives",
        setup="bench.jobs.cooperatives_xlsx",
        target_seconds=60,
    ),
    Job(
        "registry report PDF, 10,000 cooperatives",
        "cooperatives.reports.registry_pdf_bytes",
    ),
    # Measured today so the machinery is seen working: the reverse of the import, no target of its own.
    Job(
        "export every cooperative to xlsx (django-import-export)",
        "bench.jobs.export_cooperatives_xlsx",
    ),
]


def cooperatives_xlsx(rows: int = 10_000) -> dict:
    """An xlsx of `rows` new cooperatives in the registry's column order, for the import job."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("HTX")
    sheet.append(["Tên", "Loại hình", "Mã số đăng ký", "Ngày cấp", "Mã số thuế", "Địa chỉ", "Mã xã", "Lĩnh vực"])
    for i in range(1, rows + 1):
        sheet.append(
            [
                f"Hợp tác xã Nhập Thử {i:05d}",
                "Hợp tác xã",
                f"IMPORT-{i:05d}",
                "01/03/2020",
                f"29{i:08d}",
                f"Ấp {i % 20 + 1}, Xã Ninh Quới",
                "956-02",
                "Thủy sản",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return {"data": buffer.getvalue()}


def export_cooperatives_xlsx() -> int:
    """Every cooperative (with its unit) to xlsx bytes through django-import-export; returns the size."""
    from import_export.resources import modelresource_factory

    from cooperatives.models import Cooperative

    resource = modelresource_factory(Cooperative)()
    dataset = resource.export(Cooperative.objects.select_related("unit").order_by("pk"))
    return len(dataset.export("xlsx"))
