from django.urls import path

from childcare import views

urlpatterns = [
    path("<slug:slug>/", views.facility_detail, name="facility_detail"),
]
