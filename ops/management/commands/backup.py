from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (pg_dump hoặc SQLite) và hai thư mục tệp tải lên (công khai, riêng tư) vào một "
        "thư mục có ghi ngày giờ, kèm kích thước và mã SHA-256 của từng tệp."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dest", type=Path, default=None, help="Thư mục chứa các bản sao lưu.")
        parser.add_argument("--no-media", action="store_true", help="Không sao lưu các thư mục tệp tải lên.")

    def handle(self, *args, dest, no_media, **options):
        try:
            folder = create_backup(dest or settings.PORTAL_BACKUP_DIR, include_media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(folder))
