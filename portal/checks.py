"""System checks of the portal's own settings (`manage.py check --deploy`)."""

import sys
from pathlib import Path
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


@checks.register(checks.Tags.security)
def private_storage_check(app_configs, **kwargs):
    """Private files are read only by signed requests of this application: a private bucket with a custom domain
    (whose URLs django-storages never signs), unsigned URLs, a public ACL, or the public media's own bucket (whose
    prefix nginx serves at /media/) would hand them to anyone with the address."""
    from django.core.files.storage import InvalidStorageError, storages

    try:
        private = storages["private"]
    except InvalidStorageError:
        return [
            checks.Error(
                'STORAGES has no "private" entry: protected uploads would have nowhere to go.',
                hint="Keep the entry config/settings.py defines (a folder, or PORTAL_PRIVATE_BUCKET_NAME).",
                id="portal.E010",
            )
        ]
    s3 = sys.modules.get("storages.backends.s3")  # imported by now if any storage is a bucket
    if s3 is None or not isinstance(private, s3.S3Storage):
        location = getattr(private, "location", None)
        media = Path(settings.MEDIA_ROOT).resolve()
        if location and Path(location).resolve().is_relative_to(media):
            return [
                checks.Error(
                    f"PORTAL_PRIVATE_MEDIA_ROOT ({location}) is inside MEDIA_ROOT, which the web server serves at "
                    "/media/ to anyone.",
                    hint="Keep the private files in a folder of their own, e.g. /srv/cong-htx/media-private.",
                    id="portal.E012",
                )
            ]
        return []
    problems = []
    if private.custom_domain:
        problems.append("it has a custom domain, whose URLs are never signed")
    if not private.querystring_auth:
        problems.append("its URLs are not signed (querystring_auth is off)")
    if private.default_acl not in (None, "private"):
        problems.append(f"its uploads get the ACL {private.default_acl!r}")
    public = storages["default"]
    if isinstance(public, s3.S3Storage) and public.bucket_name == private.bucket_name:
        problems.append("it shares the public media's bucket, which nginx serves at /media/")
    return [
        checks.Error(
            f"The private storage could be read without a signature: {problem}.",
            hint="Give PORTAL_PRIVATE_BUCKET_NAME a bucket of its own and the settings config/settings.py sets.",
            id="portal.E011",
        )
        for problem in problems
    ]


@checks.register(checks.Tags.security, deploy=True)
def shared_private_files_check(app_configs, **kwargs):
    """Public media on a bucket means several hosts; private files on one host's disk then answer 404 on the others
    and imports fail on any worker but the uploader's host."""
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", "") and not getattr(settings, "PORTAL_PRIVATE_BUCKET_NAME", ""):
        return [
            checks.Warning(
                "The public media is on a bucket but the private files are on this host's disk "
                "(PORTAL_PRIVATE_MEDIA_ROOT): other hosts and workers will not find them.",
                hint="Set PORTAL_PRIVATE_BUCKET_NAME to a bucket of its own (docs/deploy.md, Object storage).",
                id="portal.W010",
            )
        ]
    return []
