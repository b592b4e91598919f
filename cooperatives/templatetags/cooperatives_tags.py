from django import template

register = template.Library()


@register.filter
def public(cooperative, field: str) -> bool:
    """Whether the cooperative lets `field` appear on its public profile."""
    return cooperative.shows(field)


@register.filter
def place_line(cooperative, areas) -> str:
    """One line for a list: today's commune, and the registered one in brackets where it has since merged away.
    `areas`: the page's today_areas(), read once."""
    place = cooperative.place(areas)
    if not place["before"]:
        return place["today"]
    return f"{place['today'] or 'Chưa xác định địa bàn hiện nay'} (trước 7/2025: {place['before']})"
