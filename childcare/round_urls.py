"""The municipal office's allocation rounds, included at /verwaltung/vergabe/. Rounds by opaque id."""

from django.urls import path

from childcare.views import rounds

urlpatterns = [
    path("", rounds.round_list, name="round_list"),
    path("platzierungen.csv", rounds.placements_csv, name="placements_csv"),
    path("<uuid:public_id>/", rounds.round_detail, name="round_detail"),
    path("<uuid:public_id>/berechnen/", rounds.round_compute, name="round_compute"),
    path("<uuid:public_id>/veroeffentlichen/", rounds.round_publish, name="round_publish"),
    path("<uuid:public_id>/ergebnis.csv", rounds.round_results_csv, name="round_results_csv"),
]
