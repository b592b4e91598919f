"""Write an .xlsx of N made-up cooperatives in the import template's columns (to measure big imports).

manage.py make_import_sample --rows 10000 --out /tmp/htx-10000.xlsx
"""

import random

import tablib
from django.core.management.base import BaseCommand

from cooperatives.models import Sector
from cooperatives.resources import CooperativeResource
from portal.models import AdministrativeUnit


def sample_dataset(rows: int, seed: int = 2022) -> tablib.Dataset:
    rng = random.Random(seed)
    headers = [f.column_name for f in CooperativeResource().get_import_fields()]
    communes = list(AdministrativeUnit.objects.filter(level="commune").values_list("code", flat=True)) or ["95"]
    data = tablib.Dataset(headers=headers)
    sectors = [label for _value, label in Sector.choices]
    for n in range(rows):
        values = {
            "Mã số đăng ký": f"77{n:08d}",
            "Tên": f"Hợp tác xã Thử nghiệm số {n + 1}",
            "Loại hình": "Hợp tác xã",
            "Ngày cấp đăng ký": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2005, 2025)}",
            "Địa chỉ": f"Ấp {rng.randint(1, 9)}",
            "Địa bàn": rng.choice(communes),
            "Lĩnh vực": rng.choice(sectors),
            "Mô hình quản trị": "Đầy đủ",
            "Vốn điều lệ (đồng)": f"{rng.randint(1, 900) * 1_000_000:,}".replace(",", "."),
            "Tình trạng": "Đang hoạt động",
            "HTX điểm": "Không",
            "Đăng ký lại theo Luật 2023": "Có",
        }
        data.append([values.get(h, "") for h in headers])
    return data


class Command(BaseCommand):
    help = "Tạo tệp Excel mẫu gồm N hợp tác xã giả định để đo thời gian nhập."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--out", default="htx-mau.xlsx")

    def handle(self, *args, rows, out, **options):
        with open(out, "wb") as handle:
            handle.write(sample_dataset(rows).export("xlsx"))
        self.stdout.write(f"Đã ghi {rows} dòng vào {out}")
