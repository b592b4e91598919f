from django.apps import AppConfig

from portal.roles import ALL, ALLIANCE_STAFF, FUND_OFFICER, VIEW


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = "Sổ đăng ký hợp tác xã"
    role_permissions = {ALLIANCE_STAFF: [("*", ALL)], FUND_OFFICER: [("*", VIEW)]}

    def ready(self):
        from portal.contentcache import watch

        # the public directory, profiles (today's commune) and the home page's counts
        watch("cooperatives.Cooperative", "portal.UnitMapping", "portal.AdministrativeUnit")

        from portal.extract_hooks import extract_on_upload

        from .models import CongressDocument

        extract_on_upload(CongressDocument)  # internal papers: text kept for staff, never searched publicly

        from portal.agencychanges import work_mover

        from .services import agency_sectors_move

        work_mover(agency_sectors_move)  # the sectors a merged department oversaw are its successor's

        from portal import navigation as nav

        nav.register(
            nav.Tool("registry_dashboard", "Bảng theo dõi HTX", "cooperatives:dashboard", nav.has_scope, order=20),
            nav.Tool("registry_list", "Sổ đăng ký HTX", "cooperatives:registry_list", nav.has_scope, order=21),
            nav.Tool(
                "registry_import",
                "Nhập, xuất dữ liệu HTX",
                "cooperatives:import_start",
                nav.staff_perm("cooperatives.add_cooperative"),
                order=22,
            ),
        )
