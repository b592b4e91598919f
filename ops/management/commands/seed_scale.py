import json
import time

from django.core.management.base import BaseCommand

from ops import seeding


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu quy mô lớn để đo hiệu năng (bulk_create theo lô). Mỗi loại dữ liệu có một tùy chọn kích thước; "
        "chạy lại với cùng kích thước thì bỏ qua, --reset xóa mọi dòng do lệnh này tạo."
    )

    def add_arguments(self, parser):
        for seeder in seeding.seeders():
            parser.add_argument(
                f"--{seeder.name.replace('_', '-')}",
                dest=seeder.name,
                type=int,
                default=seeder.default,
                metavar="N",
                help=f"{seeder.help} (mặc định {seeder.default:_})".replace("_", "."),
            )
        parser.add_argument("--reset", action="store_true", help="Chỉ xóa dữ liệu quy mô đã tạo, không tạo mới.")
        parser.add_argument("--only", nargs="+", metavar="TÊN", help="Chỉ chạy các loại dữ liệu này.")
        parser.add_argument("--timings", metavar="FILE", help="Ghi thời gian từng bước ra tệp JSON.")

    def handle(self, *args, **options):
        sizes = {seeder.name: options[seeder.name] for seeder in seeding.seeders()}
        for name, size in sizes.items():
            if size < 0:
                self.stderr.write(f"Kích thước {name} phải từ 0 trở lên.")
                raise SystemExit(2)
        unknown = set(options["only"] or []) - set(sizes)
        if unknown:
            self.stderr.write(f"Không có loại dữ liệu: {', '.join(sorted(unknown))}. Có: {', '.join(sizes)}.")
            raise SystemExit(2)
        started = time.perf_counter()
        timings = seeding.run(sizes=sizes, out=self.stdout, reset_only=options["reset"], only=options["only"])
        total = round(time.perf_counter() - started, 2)
        self.stdout.write(f"Xong sau {total} giây.")
        if options["timings"]:
            with open(options["timings"], "w", encoding="utf-8") as handle:
                json.dump({"sizes": sizes, "seconds": timings, "total": total}, handle, indent=2)
