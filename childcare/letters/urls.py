"""PDF downloads, included by the project under /dokumente/."""

from django.urls import path

from childcare.letters import views as documents

app_name = "letters"

urlpatterns = [
    path("antrag/<uuid:public_id>.pdf", documents.application_receipt_pdf, name="application_receipt_pdf"),
    path("angebot/<uuid:public_id>.pdf", documents.offer_letter_pdf, name="offer_letter_pdf"),
    path(
        "betreuungsplatz/<uuid:public_id>.pdf",
        documents.placement_confirmation_pdf,
        name="placement_confirmation_pdf",
    ),
]
