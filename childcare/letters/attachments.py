"""The PDFs that e-mails about applications, offers and placements carry."""

from childcare.letters import render_application_receipt, render_offer_letter, render_placement_confirmation
from notifications.attachments import register_attachment

register_attachment("application_receipt")(render_application_receipt)
register_attachment("offer_letter")(render_offer_letter)
register_attachment("placement_confirmation")(render_placement_confirmation)
