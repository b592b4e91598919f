"""manage.py load_units [--province 96]: today's province and its communes from the statistics office's list
(portal.units2025); running it again changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.units2025 import units_load


class Command(BaseCommand):
    help = "Tạo hoặc cập nhật tỉnh và các xã, phường, đặc khu hiện nay theo danh mục của Tổng cục Thống kê."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=settings.PORTAL_PROVINCE_CODE, help="Mã tỉnh, ví dụ 96.")

    def handle(self, *args, province, **options):
        try:
            result = units_load(province)
        except (KeyError, ValueError) as exc:
            raise CommandError(f"Không có tỉnh mã {province} trong danh mục.") from exc
        self.stdout.write(result.summary())
