from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from portal import demo as portal_demo


def demo_modules() -> list:
    """Each installed app's `demo` module (it has `load(out)`), in INSTALLED_APPS order, which lists the kernel
    first and each app after the apps its demo rows point at (the registry before the fund)."""
    return [
        import_module(f"{app.name}.demo") for app in apps.get_app_configs() if module_has_submodule(app.module, "demo")
    ]


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh Bạc Liêu, 2022). Chạy lại không tạo thêm bản ghi."

    def handle(self, *args, **options):
        for module in demo_modules():
            with transaction.atomic():
                module.load(self.stdout)
        portal_demo.print_logins(self.stdout)
