from django.utils.functional import SimpleLazyObject

from portal.models import PortalSettings


def portal(request):
    """The municipality's settings, loaded only when a template uses them."""
    return {"portal_settings": SimpleLazyObject(PortalSettings.load)}
