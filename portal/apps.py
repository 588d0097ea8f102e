from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from pathlib import Path

        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in

        from portal.signals import remember_staff_area

        user_logged_in.connect(remember_staff_area, dispatch_uid="portal.remember_staff_area")

        from allauth.mfa.signals import authenticator_added

        from portal.second_factor import remember_new_second_factor

        authenticator_added.connect(remember_new_second_factor, dispatch_uid="portal.new_second_factor")

        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_out, user_login_failed
        from django.db.models.signals import post_save

        from portal import audit

        user_logged_in.connect(audit.on_signed_in, dispatch_uid="portal.audit.signed_in")
        user_logged_out.connect(audit.on_signed_out, dispatch_uid="portal.audit.signed_out")
        user_login_failed.connect(audit.on_sign_in_failed, dispatch_uid="portal.audit.sign_in_failed")
        post_save.connect(audit.on_admin_change, sender=LogEntry, dispatch_uid="portal.audit.admin_change")

        # Local folders the embedded defaults write to must exist before first use.
        for folder in (
            settings.VAR_DIR,
            settings.STATIC_ROOT,
            settings.MEDIA_ROOT,
            getattr(settings, "EMAIL_FILE_PATH", None),
        ):
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            folder = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
