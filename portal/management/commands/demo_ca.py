from django.core.management.base import BaseCommand
from django.db import transaction

from portal import democa


class Command(BaseCommand):
    help = (
        "Tạo CA thử nghiệm của bản demo và chứng thư số cho mỗi cơ quan ban hành văn bản chưa có "
        "(chạy lại không tạo thêm)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            democa.load(self.stdout)
        self.stdout.write(f"Mật khẩu chứng thư số thử nghiệm: {democa.DEMO_PASSPHRASE}")
