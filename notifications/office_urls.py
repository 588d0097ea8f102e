from django.urls import path

from notifications import office

app_name = "notifications_office"

urlpatterns = [
    path("", office.failed_deliveries, name="failed"),
    path("<uuid:public_id>/erneut/", office.resend, name="resend"),
]
