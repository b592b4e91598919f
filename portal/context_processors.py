from django.utils.functional import SimpleLazyObject

from .models import SiteSettings
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
    return {"org": SiteSettings.current(), "main_menu": menu, "unread_notifications": unread}
