from .models import SiteSettings

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
    return {"org": SiteSettings.current(), "main_menu": menu}
