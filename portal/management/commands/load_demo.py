import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app's demo module has `load(out)`; later loaders read what earlier ones made (registry before fund).
LOADERS = ["portal.demo", "cooperatives.demo", "directives.demo", "fund.demo", "public.demo"]


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh Bạc Liêu, 2022). Chạy lại không tạo thêm bản ghi."

    def handle(self, *args, **options):
        for name in LOADERS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            with transaction.atomic():
                module.load(self.stdout)
        importlib.import_module("portal.demo").print_logins(self.stdout)
