from django import template

register = template.Library()


@register.filter
def public(cooperative, field: str) -> bool:
    """Whether the cooperative lets `field` appear on its public profile."""
    return cooperative.shows(field)
