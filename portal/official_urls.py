from django.urls import path

from . import official_views

app_name = "official"

urlpatterns = [
    path("<int:pk>/tep/", official_views.issued_file, name="issued_file"),
]
