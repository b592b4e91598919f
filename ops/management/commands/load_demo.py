from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from opendata import bulk
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
        modules = demo_modules()
        for module in modules:
            with transaction.atomic():
                module.load(self.stdout)
        # A second pass for what is costly to make (issued and signed documents: PDFs rendered, signatures made):
        # the command does it, the tests that load an app's demo rows through `load` skip it.
        for module in modules:
            if hasattr(module, "load_documents"):
                with transaction.atomic():
                    module.load_documents(self.stdout)
        # Last, as it happened: the agencies of 2022 reorganised in 2025, their open work moving to the successor.
        with transaction.atomic():
            portal_demo.reorganise(self.stdout)
        # The open data's bulk files of what was just loaded (a worker rebuilds them as content changes).
        made = bulk.refresh(force=True)
        self.stdout.write(f"Dữ liệu mở: {len(made)} bộ dữ liệu, /du-lieu-mo/")
        portal_demo.print_logins(self.stdout)
