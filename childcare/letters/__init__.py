"""PDF documents for families: application receipt, offer letter, placement confirmation.

The ``render_*`` functions take a primary key and a language and return what an e-mail
attachment needs: ``(file name, PDF bytes, "application/pdf")``.
"""

from childcare.letters.confirmation import PlacementConfirmation
from childcare.letters.offer_letter import OfferLetter
from childcare.letters.receipt import ApplicationReceipt

__all__ = [
    "ApplicationReceipt",
    "OfferLetter",
    "PlacementConfirmation",
    "render_application_receipt",
    "render_offer_letter",
    "render_placement_confirmation",
]


def render_application_receipt(application_id: int, language: str) -> tuple[str, bytes, str]:
    return ApplicationReceipt().attachment(application_id, language=language)


def render_offer_letter(offer_id: int, language: str) -> tuple[str, bytes, str]:
    return OfferLetter().attachment(offer_id, language=language)


def render_placement_confirmation(placement_id: int, language: str) -> tuple[str, bytes, str]:
    return PlacementConfirmation().attachment(placement_id, language=language)
