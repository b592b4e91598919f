"""System checks of the portal's own settings (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_check(app_configs, **kwargs):
    """Every absolute link is built from PORTAL_SITE_URL (portal.siteurl): in production it must be set, https."""
    value = getattr(settings, "PORTAL_SITE_URL", "")
    if not value:
        return [
            checks.Warning(
                "PORTAL_SITE_URL is not set: links in pages, feeds, the sitemap and e-mails point to the "
                "development address http://127.0.0.1:8000.",
                hint="Set PORTAL_SITE_URL to the site's public address, e.g. https://htx.example.vn.",
                id="portal.W001",
            )
        ]
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or parts.path not in ("", "/") or parts.query or parts.fragment:
        return [
            checks.Warning(
                f"PORTAL_SITE_URL ({value}) is not an https address of a site's root.",
                hint="Use the form https://htx.example.vn (https, no path).",
                id="portal.W002",
            )
        ]
    return []
