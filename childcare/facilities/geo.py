"""Distances, and the place a family searches from, without any external geocoding service.

A search starts from a postcode of the municipality or from coordinates ("lat,lon", which the
browser can fill in). A postcode stands for the centre of the portal's facilities with that
postcode: we know no other positions, and we send no address anywhere to look one up. An address
is therefore only used for the postcode in it.
"""

import math
import re
from dataclasses import dataclass

from django.db.models import Avg
from django.utils.translation import gettext as _

from childcare.models import Facility

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

_COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


class LocationError(ValueError):
    """The text names no place we can compute distances from; the message says why, for the user."""


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str
    postcode: str = ""

    def distance_km(self, latitude: float, longitude: float) -> float:
        return haversine_km(self.latitude, self.longitude, latitude, longitude)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres: as the crow flies, not the way to walk."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin(math.radians(lat2 - lat1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(half_chord)))


def resolve_location(text: str, *, municipality: str) -> Location:
    """The place ``text`` names: "lat,lon" coordinates, or a postcode (alone or inside an address).

    Raises LocationError with a translated message when the text names nothing we know.
    """
    coordinates = _COORDINATES.match(text)
    if coordinates:
        latitude, longitude = float(coordinates[1]), float(coordinates[2])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise LocationError(_("These coordinates are not on Earth: latitude first, then longitude."))
        return Location(latitude, longitude, label=_("your location"))
    postcodes = set(_POSTCODE.findall(text))
    if len(postcodes) != 1:
        raise LocationError(
            _("Enter a five-digit postcode, or coordinates such as 50.0508, 8.6912.")
            if not postcodes
            else _("Enter only one postcode.")
        )
    (postcode,) = postcodes
    centre = Facility.objects.filter(is_active=True, postcode=postcode).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude")
    )
    if centre["latitude"] is None:
        raise LocationError(
            _("The postcode %(postcode)s is not known in %(municipality)s.")
            % {"postcode": postcode, "municipality": municipality}
        )
    return Location(float(centre["latitude"]), float(centre["longitude"]), label=postcode, postcode=postcode)
