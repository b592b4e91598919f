from django.urls import path

from . import notification_views

app_name = "notifications"

urlpatterns = [
    path("", notification_views.inbox, name="inbox"),
    path("da-doc/", notification_views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/", notification_views.open_notification, name="open"),
]
