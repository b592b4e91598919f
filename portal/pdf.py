"""Every PDF of the portal goes through here: WeasyPrint with a URL fetcher that reads only our own static files.

A template may reference `/static/...` (or `data:` URIs); anything else - file://, http(s) to any host,
127.0.0.1, 169.254.169.254, a redirect to them - is refused, so a user's text can never make the renderer read
local files or reach internal addresses.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


class ForbiddenResource(ValueError):
    """Raised for any URL a PDF may not fetch."""


def _static_path(url: str) -> Path | None:
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme not in ("", "http", "https", "static") or not path.startswith(settings.STATIC_URL):
        return None
    if parts.scheme in ("http", "https") and parts.netloc != PDF_BASE_HOST:
        return None
    relative = path[len(settings.STATIC_URL) :]
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if not found:
        candidate = Path(settings.STATIC_ROOT) / relative
        found = str(candidate) if candidate.is_file() else None
    return Path(found) if found else None


# Relative URLs in templates resolve against this base, which names no real host.
PDF_BASE_HOST = "pdf.invalid"
PDF_BASE_URL = f"https://{PDF_BASE_HOST}/"


def _fetcher_class():
    # Imported lazily: WeasyPrint loads Pango at import time, which only PDF work needs.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """Serve data: URIs and our static files; refuse everything else (WeasyPrint 70 fetcher API)."""

        def __init__(self):
            super().__init__(allowed_protocols={"data", "https", "http"}, allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise ForbiddenResource(f"PDF may not fetch {url!r}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return SafeURLFetcher


def safe_url_fetcher(url: str):
    """Fetch `url` as a PDF would: our static files and data: URIs only."""
    return _fetcher_class()().fetch(url)


def render_pdf_bytes(template_name: str, context: dict | None = None) -> bytes:
    return render_html_pdf(render_to_string(template_name, context or {}))


def render_html_pdf(html: str, *, pdf_variant: str | None = None) -> bytes:
    """Rendered HTML as PDF bytes; `pdf_variant` names a WeasyPrint variant such as "pdf/a-2b"."""
    from weasyprint import HTML

    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_fetcher_class()()).write_pdf(**options)


def pdf_response(template_name: str, context: dict | None, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HTTP response carrying the rendered PDF, downloaded as `filename` (ASCII-safe)."""
    return pdf_bytes_response(render_pdf_bytes(template_name, context), filename, inline=inline)


def pdf_bytes_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HTTP response carrying an already rendered PDF (one kept in the cache, say)."""
    stem = slugify(Path(filename).stem) or "tai-lieu"
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
