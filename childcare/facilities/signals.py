"""Saving what the public facility pages show makes their kept copies out of date (see public_cache)."""

from django.db.models.signals import post_delete, post_save

from childcare.facilities.public_cache import facility_data_changed


def _changed(sender, **kwargs) -> None:
    facility_data_changed()


def connect() -> None:
    from childcare.models import Capacity, Facility, FacilityConcept, FacilityLanguage, Provider
    from portal.models import PortalSettings

    for model in (Facility, Provider, Capacity, FacilityConcept, FacilityLanguage, PortalSettings):
        uid = f"childcare.facility_data_changed.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
