from django.apps import AppConfig


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "Quỹ hỗ trợ phát triển HTX"
