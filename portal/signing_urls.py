from django.urls import path

from . import signing_views

app_name = "signing"

urlpatterns = [
    path("<int:pk>/ky-so/", signing_views.issued_sign, name="sign"),
]
