"""Fill in the text of attachments stored before extraction existed, or extract everything again."""

from django.core.management.base import BaseCommand

from portal import extract, tasks


class Command(BaseCommand):
    help = "Trích xuất nội dung tệp đính kèm: --missing (mặc định) các tệp chưa có nội dung, --all tất cả."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", help="Trích xuất lại mọi tệp.")
        group.add_argument("--missing", action="store_true", help="Chỉ các tệp đang chờ (mặc định).")
        parser.add_argument("--sync", action="store_true", help="Chạy ngay trong tiến trình này, không qua hàng đợi.")

    def handle(self, *args, all=False, missing=False, sync=False, **options):
        total = 0
        for label in sorted(extract.REGISTRY):
            model = extract.registered_model(label)
            rows = model.objects.exclude(file="")
            if not all:
                rows = rows.filter(text_state=extract.TextState.PENDING)
            pks = list(rows.order_by("pk").values_list("pk", flat=True))
            for pk in pks:
                if sync:
                    extract.attachment_extract_text(label=label, pk=pk)
                else:
                    tasks.publish(tasks.extract_text, label, pk)
            total += len(pks)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {len(pks)} tệp")
        done = "đã trích xuất" if sync else "đã xếp vào hàng đợi"
        self.stdout.write(self.style.SUCCESS(f"Tổng cộng {total} tệp {done}."))
