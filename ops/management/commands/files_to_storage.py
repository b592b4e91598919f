from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand

from ops.backup import BackupError, files_under
from portal.storage import PrivateStorage


class Command(BaseCommand):
    help = (
        "Chép các tệp tải lên từ thư mục của máy này (MEDIA_ROOT, PORTAL_PRIVATE_MEDIA_ROOT) vào bucket tương ứng "
        "(AWS_STORAGE_BUCKET_NAME, PORTAL_PRIVATE_BUCKET_NAME), giữ nguyên tên; tệp đã có cùng kích thước thì bỏ qua, "
        "nên chạy lại bao nhiêu lần cũng được. Không xóa gì ở thư mục."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không chép.")

    def handle(self, *args, dry_run, **options):
        pairs = {
            "MEDIA_ROOT": (settings.MEDIA_ROOT, storages["default"]),
            "PORTAL_PRIVATE_MEDIA_ROOT": (settings.PORTAL_PRIVATE_MEDIA_ROOT, PrivateStorage()),
        }
        for setting, (root, storage) in pairs.items():
            if isinstance(storage, FileSystemStorage):
                self.stdout.write(f"{setting}: nơi lưu vẫn là thư mục, không chép.")
                continue
            copied = kept = 0
            for relative in files_under(root) if root.exists() else []:
                name = relative.as_posix()
                size = (root / relative).stat().st_size
                if storage.exists(name):
                    if storage.size(name) == size:
                        kept += 1
                        continue
                    if not dry_run:
                        storage.delete(name)  # an earlier copy cut short
                if not dry_run:
                    with open(root / relative, "rb") as handle:
                        saved = storage.save(name, File(handle, name=name))
                    if saved != name or storage.size(saved) != size:
                        raise BackupError(f"Chép {name} không trọn vẹn (lưu thành {saved}); chạy lại lệnh.")
                copied += 1
            verb = "sẽ chép" if dry_run else "đã chép"
            self.stdout.write(f"{setting} ({root}): {verb} {copied} tệp, {kept} tệp đã có sẵn.")
