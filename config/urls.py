from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from ops import health
from portal.forms import LoginForm
from portal.start_views import start
from public import views as public_views

admin.site.site_header = "Quản trị Cổng HTX"
admin.site.site_title = "Quản trị Cổng HTX"
admin.site.index_title = "Bảng điều khiển"

urlpatterns = [
    path("", public_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("lam-viec/", start, name="start"),  # each role's start page (portal.navigation)
    # The public site's admin pages were under the kernel app's label: old links and bookmarks still arrive.
    re_path(
        r"^admin/portal/(?P<model>category|tag|article|page|poll|weblinkgroup|dailyvisit|contactmessage)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/public/%(model)s/%(rest)s", query_string=True, permanent=True),
        name="admin_moved_to_public",
    ),
    path("admin/", admin.site.urls),
    path("", include("public.urls")),
    path("", include("cooperatives.urls")),
    path("", include("directives.urls")),
    path("", include("fund.urls")),
    path("", include("opendata.urls")),  # /api/v1/ and /du-lieu-mo/
    path("tai-khoan/", include("portal.security_urls")),  # second-factor enrolment and verification
    path("thong-bao/", include("portal.notification_urls")),  # the user's inbox of reminders and digests
    path("van-ban-di/", include("portal.official_urls")),  # the files of issued documents (sổ văn bản đi)
    path("van-ban-di/", include("portal.signing_urls")),  # an issued document's digital signature
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "portal.errors.error_400"
handler403 = "portal.errors.error_403"
handler404 = "portal.errors.error_404"
handler500 = "portal.errors.error_500"

# The benchmark's bare baseline view (bench/), routed only when PORTAL_BENCH_ENDPOINTS is on.
if settings.PORTAL_BENCH_ENDPOINTS:
    from ops import bench_views

    urlpatterns += [path("_bench/bare", bench_views.bare, name="bench-bare")]
