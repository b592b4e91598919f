from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Cổng thông tin và đơn vị"

    def ready(self):
        from . import security  # noqa: F401 - connects the security log's signal receivers
        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="portal.sync_role_permissions")

        from . import signals

        signals.connect()

        from .forms import install_text_normalisation

        install_text_normalisation()
