"""Small reads for the officers' workspace template, kept out of its view (which is tuned for speed on its own)."""

from django import template

import fund.selectors as fund_selectors

register = template.Library()


@register.simple_tag
def appraisals_waiting(user) -> int:
    """How many appraisals addressed to the user's agency still wait for its opinion (one query)."""
    return fund_selectors.appraisals_waiting_count(user)
