from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildcareConfig(AppConfig):
    name = "childcare"
    verbose_name = _("Childcare")

    def ready(self):
        # Registering with notifications: the PDF renderers for e-mails and the kinds of message sent.
        from childcare.admissions import notices  # noqa: F401

        # Every use of an API key is in the audit log.
        from childcare.api.authentication import token_used
        from childcare.letters import attachments  # noqa: F401
        from portal import audit

        token_used.connect(audit.on_api_key_used, dispatch_uid="childcare.audit.api_key_used")

        # The public facility pages' kept copies follow every save of what they show.
        from childcare.facilities import signals

        signals.connect()
