"""Staff pages, included at /verwaltung/. Facilities by slug, applications and offers by opaque id."""

from django.urls import path

from childcare.views import staff, waitlists

app_name = "staff"

urlpatterns = [
    path("", waitlists.facility_list, name="facilities"),
    path("antraege/<uuid:public_id>/", staff.application_detail, name="application"),
    path("antraege/<uuid:public_id>/notiz/", staff.note_add, name="note_add"),
    path("<slug:slug>/warteliste/", waitlists.waitlist_page, name="waitlist"),
    path("<slug:slug>/warteliste.csv", waitlists.waitlist_csv, name="waitlist_csv"),
    path("<slug:slug>/warteliste/naechste/", staff.offer_next, name="offer_next"),
    path("<slug:slug>/warteliste/<uuid:public_id>/angebot/", staff.offer_make, name="offer_make"),
    path("<slug:slug>/warteliste/<uuid:public_id>/ablehnen/", staff.wish_reject, name="wish_reject"),
    path(
        "<slug:slug>/warteliste/<uuid:public_id>/aufnahme/", staff.placement_record, name="placement_record"
    ),
    path("<slug:slug>/angebote/<uuid:public_id>/zurueckziehen/", staff.offer_withdraw, name="offer_withdraw"),
]
