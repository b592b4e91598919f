from django.apps import AppConfig

from portal.roles import ALL, ALLIANCE_STAFF, FUND_OFFICER, VIEW


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = "Sổ đăng ký hợp tác xã"
    role_permissions = {ALLIANCE_STAFF: [("*", ALL)], FUND_OFFICER: [("*", VIEW)]}

    def ready(self):
        from portal.contentcache import watch

        watch("cooperatives.Cooperative")  # the public directory and the home page's counts
