from django import template

from portal import formatting, siteurl

register = template.Library()


@register.filter
def money(value):
    return formatting.money(value)


@register.filter
def number(value, decimals=0):
    if value is None or value == "":
        return "—"
    return formatting.group_thousands(value, int(decimals))


@register.filter
def vn_date(value):
    return formatting.vn_date(value)


@register.filter
def weekday_datetime(value):
    return formatting.vn_weekday_datetime(value)


@register.filter
def on_site(path):
    """An absolute path as a full link on the configured site (portal.siteurl): for e-mails."""
    return siteurl.absolute(path) if path else ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links that keep filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
