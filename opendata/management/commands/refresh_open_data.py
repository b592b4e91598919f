"""`manage.py refresh_open_data [--force]`: build the bulk files of /du-lieu-mo/ now (what the task does)."""

from django.core.management.base import BaseCommand

from opendata import bulk


class Command(BaseCommand):
    help = "Tạo lại các tệp dữ liệu mở (/du-lieu-mo/) có dữ liệu đã thay đổi; --force: tạo lại tất cả."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="đọc lại mọi bộ dữ liệu, kể cả khi chưa đổi")

    def handle(self, *args, **options):
        outcome = bulk.refresh(force=options["force"])
        if not outcome:
            self.stdout.write("Đang có một lần tạo tệp khác chạy; không làm gì thêm.")
            return
        for slug, result in outcome.items():
            self.stdout.write(f"{slug}: {result}")
