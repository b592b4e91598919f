from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "Quỹ hỗ trợ phát triển HTX"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers that keep snapshots a cache)
