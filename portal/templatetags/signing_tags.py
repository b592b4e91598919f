from django import template

from portal.signing import may_sign

register = template.Library()


@register.simple_tag(takes_context=True)
def may_sign_issued(context, document) -> bool:
    """Whether the request's user may sign `document` now (not signed yet, their agency's, with the permission)."""
    request = context.get("request")
    return bool(request and document and not document.signed_pdf and may_sign(request.user, document))
