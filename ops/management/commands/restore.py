from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore_backup

CONFIRM = "khoi-phuc"


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và tệp tải lên (công khai và riêng tư) từ một thư mục do `manage.py backup` tạo. "
        "Ghi đè dữ liệu hiện có."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--noinput", action="store_true", help="Không hỏi xác nhận.")
        parser.add_argument("--no-media", action="store_true", help="Không khôi phục tệp tải lên (cả hai thư mục).")

    def handle(self, *args, folder, noinput, no_media, **options):
        if not noinput:
            answer = input(f"Dữ liệu hiện tại sẽ bị thay bằng bản sao lưu {folder}. Gõ '{CONFIRM}' để tiếp tục: ")
            if answer.strip() != CONFIRM:
                raise CommandError("Đã hủy, không thay đổi gì.")
        try:
            result = restore_backup(folder, include_media=not no_media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Đã khôi phục {result['tables']} bảng, {result['rows']} dòng và {result['files']} tệp; "
            "số dòng khớp bản sao lưu."
        )
        for aside in result["media_moved_aside"]:
            self.stdout.write(f"Các tệp cũ được giữ lại ở {aside}.")
