"""Staff and municipal office pages at /verwaltung/: facilities by slug, applications by opaque id."""

from django.urls import path

from childcare.backoffice.views import (
    applications,
    audit,
    imports,
    jobs,
    planning,
    rounds,
    waitlists,
    webhooks,
)

app_name = "backoffice"

urlpatterns = [
    path("planung/", planning.overview, name="planning_overview"),
    path("planung/bedarf.csv", planning.unmet_demand_csv, name="planning_unmet_csv"),
    path("protokoll/", audit.audit_log, name="audit_log"),
    path("protokoll.csv", audit.audit_log_csv, name="audit_log_csv"),
    path("einrichtungen/import/", imports.facility_import, name="facility_import"),
    path("vergabe/", rounds.round_list, name="round_list"),
    path("vergabe/platzierungen.csv", rounds.placements_csv, name="placements_csv"),
    path("vergabe/<uuid:public_id>/", rounds.round_detail, name="round_detail"),
    path("vergabe/<uuid:public_id>/berechnen/", rounds.round_compute, name="round_compute"),
    path("vergabe/<uuid:public_id>/veroeffentlichen/", rounds.round_publish, name="round_publish"),
    path("vergabe/<uuid:public_id>/ergebnis.csv", rounds.round_results_csv, name="round_results_csv"),
    path("auftraege/<uuid:public_id>/", jobs.job_progress, name="job_progress"),
    path("auftraege/<uuid:public_id>/fortsetzen/", jobs.job_resume, name="job_resume"),
    path("", waitlists.facility_list, name="facilities"),
    path("antraege/<uuid:public_id>/", applications.application_detail, name="application"),
    path("antraege/<uuid:public_id>/notiz/", applications.note_add, name="note_add"),
    path("<slug:slug>/warteliste/", waitlists.waitlist_page, name="waitlist"),
    path("<slug:slug>/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("<slug:slug>/warteliste.csv", waitlists.waitlist_csv, name="waitlist_csv"),
    path("<slug:slug>/warteliste/naechste/", applications.offer_next, name="offer_next"),
    path("<slug:slug>/warteliste/<uuid:public_id>/angebot/", applications.offer_make, name="offer_make"),
    path("<slug:slug>/warteliste/<uuid:public_id>/ablehnen/", applications.wish_reject, name="wish_reject"),
    path(
        "<slug:slug>/warteliste/<uuid:public_id>/aufnahme/",
        applications.placement_record,
        name="placement_record",
    ),
    path(
        "<slug:slug>/angebote/<uuid:public_id>/zurueckziehen/",
        applications.offer_withdraw,
        name="offer_withdraw",
    ),
]
