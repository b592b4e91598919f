"""Absolute links from one configured address (settings.PORTAL_SITE_URL), never from the request's Host header.

A page rendered for one request is served from the cache to others (portal.pagecache), and an allowed host name
may arrive with any port (`Host: 127.0.0.1:6666`): links built from the request would carry that to every later
reader. So canonical links, og:url, share links, feeds, the sitemap and e-mails all use `absolute`.
"""

from urllib.parse import urlsplit

from django.conf import settings

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The site's address with no trailing slash: the setting, or the development server's when it is unset."""
    return (getattr(settings, "PORTAL_SITE_URL", "") or DEVELOPMENT_SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    """`path` (an absolute path such as /tin-tuc/) on the configured site; a full URL is returned as it is."""
    if not path:
        return site_url() + "/"
    if path.startswith(("http://", "https://")):
        return path
    return site_url() + ("" if path.startswith("/") else "/") + path


class SiteRequest:
    """A request seen as if it had come to the configured site: for Django code that builds links from the
    request's host and scheme (django.contrib.syndication, django.contrib.sitemaps)."""

    def __init__(self, request):
        self._request = request
        parts = urlsplit(site_url())
        self._scheme, self._host = parts.scheme, parts.netloc

    def __getattr__(self, name):
        return getattr(self._request, name)

    @property
    def scheme(self) -> str:
        return self._scheme

    def is_secure(self) -> bool:
        return self._scheme == "https"

    def get_host(self) -> str:
        return self._host

    def build_absolute_uri(self, location=None) -> str:
        return absolute(location if location is not None else self._request.get_full_path())
