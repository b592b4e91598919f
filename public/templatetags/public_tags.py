from django import template

from portal import siteurl, text, uploads
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


# Which of the A− / A / A+ buttons reads as pressed for each font-size cookie (portal.js keeps the same map).
FONT_PRESSED = {"small": "down", "": "reset", "large": "up", "xlarge": "up"}


@register.simple_tag(takes_context=True)
def font_pressed(context, action: str) -> str:
    """aria-pressed of a font-size button: "true" for the one that matches the reader's cookie (the default size
    when the cookie is missing or unknown)."""
    request = context.get("request")
    size = request.COOKIES.get("htx_font", "") if request is not None else ""
    return "true" if FONT_PRESSED.get(size, "reset") == action else "false"


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page on the configured site (portal.siteurl), with the number of the list page shown if not the first:
    never the request's host, nor parameters the page did not read."""
    request = context.get("request")
    if request is None:
        return ""
    page_obj = context.get("page_obj")
    number = getattr(page_obj, "number", 1)
    return siteurl.absolute(request.path) + (f"?page={number}" if number > 1 else "")


@register.simple_tag
def absolute(url) -> str:
    return siteurl.absolute(url) if url else ""


@register.inclusion_tag("public/includes/sidebar.html", takes_context=True)
def portal_sidebar(context, shown_poll=None):
    # The poll, its choices and the links are the same for every reader, signed in or not: always cached.
    data = {**sidebar_data(), "csrf_token": context.get("csrf_token"), "request": context.get("request")}
    # On a poll's own page its form is in the content already: a second copy would repeat every id and question.
    data["poll_on_page"] = shown_poll is not None and data.get("poll") is not None and data["poll"].pk == shown_poll.pk
    return data
