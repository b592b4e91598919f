from django.core.management.base import BaseCommand

from directives.demo_documents import write_all


class Command(BaseCommand):
    help = (
        "Tạo lại các văn bản mẫu (Công văn 1047/UBND-KT dạng PDF văn bản, Kế hoạch 58/KH-LMHTX dạng bản chụp) "
        "vào directives/demo_files/. Chỉ chạy khi sửa nội dung mẫu; các tệp được lưu trong kho mã."
    )

    def handle(self, *args, **options):
        write_all(self.stdout)
