from django.urls import path

from childcare.views import basket, facilities

urlpatterns = [
    path("", facilities.facility_search, name="facility_search"),
    path("merken/<slug:slug>/", basket.wish_add, name="wish_add"),
    path("merken/<slug:slug>/entfernen/", basket.wish_remove, name="wish_remove"),
    path("<slug:slug>/", facilities.facility_detail, name="facility_detail"),
]
