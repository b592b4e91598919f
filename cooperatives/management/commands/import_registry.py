"""Import a registry file from the command line, all-or-nothing, and report the time it took.

manage.py import_registry cooperatives /tmp/htx-10000.xlsx [--dry-run]
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperatives.importing import load_dataset, run_import
from cooperatives.resources import RESOURCES


class Command(BaseCommand):
    help = "Nhập tệp dữ liệu sổ đăng ký (tất cả hoặc không gì) và in thời gian."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=list(RESOURCES))
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, resource, path, dry_run, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không có tệp {path}")
        started = time.perf_counter()
        dataset = load_dataset(file.read_bytes(), file.name, resource)
        read = time.perf_counter() - started
        outcome = run_import(resource_key=resource, dataset=dataset, dry_run=dry_run)
        total = time.perf_counter() - started
        for error in outcome["errors"][:50]:
            self.stdout.write(f"Dòng {error['row'] or '-'}: {'; '.join(error['messages'])}")
        verdict = "hợp lệ" if outcome["ok"] else f"{len(outcome['errors'])} dòng lỗi, không ghi gì"
        self.stdout.write(
            f"{len(dataset)} dòng: {verdict}; mới {outcome['new']}, cập nhật {outcome['updated']}; "
            f"đọc tệp {read:.1f} giây, tổng {total:.1f} giây"
        )
