from django.utils.functional import SimpleLazyObject

from .models import SiteSettings
from .navigation import tools_for
from .notify import unread_count

MAIN_MENU = [
    ("Trang chủ", "/"),
    ("Giới thiệu", "/gioi-thieu/"),
    ("Tin tức", "/tin-tuc/"),
    ("Văn bản", "/van-ban/"),
    ("Hợp tác xã", "/hop-tac-xa/"),
    ("Quỹ hỗ trợ", "/quy-ho-tro/"),
    ("Liên hệ", "/lien-he/"),
]


def site(request):
    path = request.path
    menu = [
        {"label": label, "url": url, "active": path == url if url == "/" else path.startswith(url)}
        for label, url in MAIN_MENU
    ]
    user = getattr(request, "user", None)
    # Evaluated only where the header shows it (signed-in users), at most one cached query per page.
    unread = SimpleLazyObject(lambda: unread_count(user)) if user is not None else 0
    # The tools of the user's role (portal.navigation), built only where a page shows them.
    signed_in = user is not None and user.is_authenticated
    staff_menu = SimpleLazyObject(lambda: tools_for(user, path)) if signed_in else []
    return {"org": SiteSettings.current(), "main_menu": menu, "unread_notifications": unread, "staff_menu": staff_menu}
