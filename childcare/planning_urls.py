"""Municipal planning pages, included at /verwaltung/planung/."""

from django.urls import path

from childcare.views import planning

urlpatterns = [
    path("", planning.overview, name="planning_overview"),
    path("bedarf.csv", planning.unmet_demand_csv, name="planning_unmet_csv"),
]
