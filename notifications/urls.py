from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("alle-gelesen/", views.mark_all_read, name="mark_all_read"),
    path("einstellungen/", views.preferences, name="preferences"),
    path("<uuid:public_id>/", views.message_detail, name="message"),
]
