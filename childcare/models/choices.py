"""Vocabularies shared by the childcare models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgeBand(models.TextChoices):
    UNDER_THREE = "u3", _("Under 3 (U3)")
    THREE_TO_SCHOOL = "ue3", _("3 to school entry (Ü3)")
    SCHOOL = "school", _("School age (Hort)")


class FacilityType(models.TextChoices):
    KITA = "kita", _("Kita (mixed ages)")
    KRIPPE = "krippe", _("Krippe (under 3)")
    KINDERGARTEN = "kindergarten", _("Kindergarten (3 to school)")
    HORT = "hort", _("Hort (school children)")
    CHILDMINDER = "tagespflege", _("Kindertagespflege (childminder)")


class ProviderKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal")
    CHURCH = "church", _("Church")
    NON_PROFIT = "non_profit", _("Non-profit")
    COMPANY = "company", _("Company")
    PARENT_INITIATIVE = "parent_initiative", _("Parent initiative")


class Concept(models.TextChoices):
    SITUATIONAL = "situational", _("Situational approach")
    MONTESSORI = "montessori", _("Montessori")
    WALDORF = "waldorf", _("Waldorf")
    REGGIO = "reggio", _("Reggio")
    FOREST = "forest", _("Forest kindergarten")
    OPEN = "open", _("Open work")
    BILINGUAL = "bilingual", _("Bilingual")
    NATURE = "nature", _("Nature and environment")
    SPORTS = "sports", _("Sports and movement")
    MUSIC = "music", _("Music")
    SCIENCE = "science", _("Science and discovery")
    INCLUSION = "inclusion", _("Inclusion")
    RELIGIOUS = "religious", _("Religious education")


class Language(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ITALIAN = "it", _("Italian")
    TURKISH = "tr", _("Turkish")
    ARABIC = "ar", _("Arabic")
    POLISH = "pl", _("Polish")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")
    GREEK = "el", _("Greek")
    CROATIAN = "hr", _("Croatian")


class Meals(models.TextChoices):
    OWN_KITCHEN = "own_kitchen", _("Fresh from our own kitchen")
    CATERED = "catered", _("Catered")
    BROUGHT = "brought", _("Brought from home")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    WAITING = "waiting", pgettext_lazy("application status", "Waiting")
    OFFERED = "offered", pgettext_lazy("application status", "Offer open")
    PLACED = "placed", pgettext_lazy("application status", "Placed")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("application status", "Expired")
    CLOSED = "closed", pgettext_lazy("application status", "Closed")


# The named status sets: declared here once, used by queries, transitions and pages.
# Not ended: a child has at most one such application.
OPEN_APPLICATION_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITING,
    ApplicationStatus.OFFERED,
)
# Submitted and waiting for an offer: the family may still edit it, staff may offer a place.
WAITING_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING)
# On the facilities' waitlists: waiting, or holding an open offer.
LISTED_APPLICATION_STATUSES = (*WAITING_APPLICATION_STATUSES, ApplicationStatus.OFFERED)


class WishStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("wish status", "On the waitlist")
    OFFERED = "offered", pgettext_lazy("wish status", "Offer open")
    ACCEPTED = "accepted", pgettext_lazy("wish status", "Accepted")
    DECLINED = "declined", pgettext_lazy("wish status", "Declined")
    EXPIRED = "expired", pgettext_lazy("wish status", "Offer expired")
    INACTIVE = "inactive", pgettext_lazy("wish status", "Inactive (placed elsewhere)")
    REJECTED = "rejected", pgettext_lazy("wish status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("wish status", "Withdrawn")


# A wish that holds a place on its facility's waitlist.
LISTED_WISH_STATUSES = (WishStatus.ACTIVE, WishStatus.OFFERED)
# A wish that lets its facility's staff see the application (need to know).
STAFF_VISIBLE_WISH_STATUSES = (*LISTED_WISH_STATUSES, WishStatus.ACCEPTED)


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("offer status", "Open")
    ACCEPTED = "accepted", pgettext_lazy("offer status", "Accepted")
    DECLINED = "declined", pgettext_lazy("offer status", "Declined")
    EXPIRED = "expired", pgettext_lazy("offer status", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("offer status", "Withdrawn")


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("placement status", "Active")
    CANCELLED = "cancelled", pgettext_lazy("placement status", "Cancelled")


class EventKind(models.TextChoices):
    """Every kind of entry an application's timeline knows; the label is what parents read."""

    CREATED = "created", _("Application started")
    SUBMITTED = "submitted", _("Application submitted")
    EDITED = "edited", _("Application changed")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    EXPIRED = "expired", _("Application expired")
    CLOSED = "closed", _("Application closed")
    INTEREST_CONFIRMED = "interest_confirmed", _("Interest confirmed")
    WISH_WITHDRAWN = "wish_withdrawn", _("Wish withdrawn")
    WISH_REJECTED = "wish_rejected", _("Wish rejected by the facility")
    OFFER_MADE = "offer_made", _("Offer received")
    OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")
    OFFER_DECLINED = "offer_declined", _("Offer declined")
    OFFER_EXPIRED = "offer_expired", _("Offer expired")
    OFFER_WITHDRAWN = "offer_withdrawn", _("Offer withdrawn by the facility")
    OFFER_GIVEN_UP = "offer_given_up", _("Offer given up with the withdrawn application")
    PLACEMENT_RECORDED = "placement_recorded", _("Place recorded by the facility")
    NOTE = "note", _("Internal note")


class ActorKind(models.TextChoices):
    """Who acted, in the words the timeline uses."""

    FAMILY = "family", _("You")
    FACILITY = "facility", _("Facility")
    OFFICE = "office", _("Municipal childcare office")
    SYSTEM = "system", _("Automatically")


class StaffRole(models.TextChoices):
    LEADER = "leader", _("Facility leader")
    STAFF = "staff", _("Staff")
