from django.urls import path

from . import security_views

app_name = "security"

urlpatterns = [
    path("xac-thuc-hai-buoc/", security_views.otp_enrol, name="otp_enrol"),
    path("xac-minh/", security_views.otp_verify, name="otp_verify"),
]
