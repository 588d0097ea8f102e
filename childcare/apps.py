from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildcareConfig(AppConfig):
    name = "childcare"
    verbose_name = _("Childcare")

    def ready(self):
        from childcare.letters import attachments  # noqa: F401  (registers the PDF renderers for e-mails)
