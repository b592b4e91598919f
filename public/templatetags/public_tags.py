from django import template

from portal import text, uploads
from public.selectors import sidebar_data

register = template.Library()

FONT_CLASSES = {"small": "font-small", "large": "font-large", "xlarge": "font-xlarge"}


@register.filter
def clean_html(value):
    """Rich text is sanitised again when shown, whatever is in the database."""
    return text.safe_html(value)


@register.filter
def filesize(value):
    return uploads.human_size(int(value or 0))


@register.simple_tag(takes_context=True)
def display_prefs(context) -> str:
    """Classes for <html> from the reader's font-size and contrast cookies (set by portal.js), whitelisted."""
    request = context.get("request")
    if request is None:
        return ""
    classes = []
    font = FONT_CLASSES.get(request.COOKIES.get("htx_font", ""))
    if font:
        classes.append(font)
    if request.COOKIES.get("htx_contrast") == "high":
        classes.append("contrast-high")
    return " ".join(classes)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    page = request.GET.get("page")
    suffix = f"?page={page}" if page and page.isdigit() and page != "1" else ""
    return request.build_absolute_uri(request.path) + suffix


@register.simple_tag(takes_context=True)
def absolute(context, url) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None and url else url or ""


@register.inclusion_tag("public/includes/sidebar.html", takes_context=True)
def portal_sidebar(context):
    # The poll, its choices and the links are the same for every reader, signed in or not: always cached.
    return {**sidebar_data(), "csrf_token": context.get("csrf_token"), "request": context.get("request")}
