from django.apps import AppConfig
from django.db.models.signals import post_migrate

from .roles import AGENCY_OFFICER, ALL, ALLIANCE_STAFF, FUND_OFFICER, VIEW


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Cổng thông tin và đơn vị"

    role_permissions = {
        ALLIANCE_STAFF: [
            ("administrativeunit", ALL),
            ("unitchange", ("add", "view")),  # a recorded merge or split is history: never changed
            ("agencychange", ("add", "view")),  # so is a merge of agencies, and what it moved
            ("agencymove", VIEW),
            ("unitmapping", ALL),  # old commune -> today's commune, corrected by staff
            ("agency", ALL),
            ("signatory", ALL),  # edited as a part of its agency
            ("issueddocument", VIEW),  # the register of outgoing documents: written by the portal alone
            ("registercounter", VIEW),
            ("sitesettings", ("change", "view")),
            ("user", VIEW),
            ("issueddocument", ("sign",)),  # the alliance's own documents (portal.signing.may_sign)
        ],
        FUND_OFFICER: [("agency", VIEW)],
        AGENCY_OFFICER: [("issueddocument", ("sign",))],  # their agency's documents
    }

    def ready(self):
        from . import checks, security  # noqa: F401 - register the deploy checks, connect the security log
        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="portal.sync_role_permissions")

        from . import signals

        signals.connect()

        from . import signatures

        signatures.connect()

        from .forms import install_text_normalisation

        install_text_normalisation()

        from . import navigation as nav

        nav.register(
            nav.Tool("notifications", "Thông báo", "notifications:inbox", nav.signed_in, order=90),
            nav.Tool("admin", "Quản trị", "admin:index", nav.is_staff, order=100),
        )
