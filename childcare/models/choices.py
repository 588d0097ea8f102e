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


OPEN_APPLICATION_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITING,
    ApplicationStatus.OFFERED,
)


class WishStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("wish status", "On the waitlist")
    OFFERED = "offered", pgettext_lazy("wish status", "Offer open")
    ACCEPTED = "accepted", pgettext_lazy("wish status", "Accepted")
    DECLINED = "declined", pgettext_lazy("wish status", "Declined")
    EXPIRED = "expired", pgettext_lazy("wish status", "Offer expired")
    INACTIVE = "inactive", pgettext_lazy("wish status", "Inactive (placed elsewhere)")
    REJECTED = "rejected", pgettext_lazy("wish status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("wish status", "Withdrawn")


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("offer status", "Open")
    ACCEPTED = "accepted", pgettext_lazy("offer status", "Accepted")
    DECLINED = "declined", pgettext_lazy("offer status", "Declined")
    EXPIRED = "expired", pgettext_lazy("offer status", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("offer status", "Withdrawn")


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("placement status", "Active")
    CANCELLED = "cancelled", pgettext_lazy("placement status", "Cancelled")


class StaffRole(models.TextChoices):
    LEADER = "leader", _("Facility leader")
    STAFF = "staff", _("Staff")
