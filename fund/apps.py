from django.apps import AppConfig

from portal.roles import ALL, ALLIANCE_STAFF, FUND_OFFICER, VIEW


class FundConfig(AppConfig):
    name = "fund"
    verbose_name = "Quỹ hỗ trợ phát triển HTX"
    role_permissions = {ALLIANCE_STAFF: [("*", VIEW)], FUND_OFFICER: [("*", ALL)]}

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers that keep snapshots a cache)
