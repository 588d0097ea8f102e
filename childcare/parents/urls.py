"""Public and parent pages: facility search, wish list, children, applications, offers, proofs."""

from django.urls import path

from childcare.parents.views import applications, basket, children, facilities, invitations, offers, proofs

app_name = "parents"

urlpatterns = [
    path("einrichtungen/", facilities.facility_search, name="facility_search"),
    path("einrichtungen/merken/<slug:slug>/", basket.wish_add, name="wish_add"),
    path("einrichtungen/merken/<slug:slug>/entfernen/", basket.wish_remove, name="wish_remove"),
    path("einrichtungen/<slug:slug>/", facilities.facility_detail, name="facility_detail"),
    path("kinder/", children.child_list, name="child_list"),
    path("kinder/neu/", children.child_create, name="child_create"),
    path("kinder/<uuid:public_id>/", children.child_edit, name="child_edit"),
    path("kinder/<uuid:public_id>/entfernen/", children.child_delete, name="child_delete"),
    path("antraege/", applications.application_list, name="application_list"),
    path("antraege/neu/", applications.application_start, name="application_start"),
    path("antraege/<uuid:public_id>/", applications.application_detail, name="application_detail"),
    path(
        "antraege/<uuid:public_id>/beginn/",
        applications.application_step_start,
        name="application_step_start",
    ),
    path(
        "antraege/<uuid:public_id>/wuensche/",
        applications.application_step_wishes,
        name="application_step_wishes",
    ),
    path(
        "antraege/<uuid:public_id>/kriterien/",
        applications.application_step_criteria,
        name="application_step_criteria",
    ),
    path(
        "antraege/<uuid:public_id>/pruefen/",
        applications.application_step_review,
        name="application_step_review",
    ),
    path(
        "antraege/<uuid:public_id>/zurueckziehen/",
        applications.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "antraege/<uuid:public_id>/wuensche/<int:rank>/zurueckziehen/",
        applications.wish_withdraw,
        name="wish_withdraw",
    ),
    path("antraege/<uuid:public_id>/interesse/", applications.interest_confirm, name="interest_confirm"),
    path("bestaetigen/<str:token>/", applications.interest_confirm_link, name="interest_confirm_link"),
    path("kinder/<uuid:public_id>/einladen/", invitations.guardian_invite, name="guardian_invite"),
    path("einladungen/<uuid:public_id>/", invitations.invitation_accept, name="invitation_accept"),
    path("antraege/<uuid:public_id>/nachweise/", proofs.document_upload, name="document_upload"),
    path("nachweise/<uuid:public_id>/", proofs.document_download, name="document_download"),
    path("nachweise/<uuid:public_id>/entfernen/", proofs.document_delete, name="document_delete"),
    path("angebote/<uuid:public_id>/", offers.offer_respond, name="offer_respond"),
]
