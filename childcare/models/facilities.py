from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from childcare.models.choices import AgeBand, Concept, FacilityType, Language, Meals, ProviderKind


class Provider(models.Model):
    """A Träger: who runs one or more facilities."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProviderKind.choices)
    website = models.URLField(_("website"), blank=True)
    # The key of the system the row is imported from (see docs/facility-import.md); empty for rows
    # entered by hand.
    external_id = models.CharField(_("external id"), max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Facility(models.Model):
    """A daycare centre or childminder that children can be placed at."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="facilities"
    )
    type = models.CharField(_("type"), max_length=32, choices=FacilityType.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    external_id = models.CharField(_("external id"), max_length=64, unique=True, null=True, blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    district = models.CharField(_("district"), max_length=100, db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    opening_notes = models.CharField(_("notes on opening hours"), max_length=200, blank=True)
    # English texts: shown to English readers when filled, otherwise the German one (portal.languages).
    opening_notes_en = models.CharField(_("notes on opening hours (English)"), max_length=200, blank=True)
    max_care_hours = models.PositiveSmallIntegerField(_("longest care scope (hours per week)"), default=45)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    meals = models.CharField(_("meals"), max_length=32, choices=Meals.choices, blank=True)
    barrier_free = models.BooleanField(_("barrier-free"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    accepts_applications = models.BooleanField(_("accepts applications"), default=True)
    offers_automatically = models.BooleanField(
        _("offer automatically"),
        default=False,
        help_text=_("When an offer is declined or expires, offer the place to the next candidate."),
    )
    # Tells API clients and caches whether the public facts changed (ETag / Last-Modified).
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="facility_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="facility_opens_before_closing"
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "type"], name="facility_active_type_idx"),
            # The search lists active facilities by name a page at a time: read in order, not sorted.
            models.Index(fields=["name"], condition=Q(is_active=True), name="facility_active_name_idx"),
            # ... and nearest first, looking in a bounding box around the start.
            models.Index(
                fields=["latitude", "longitude"],
                condition=Q(is_active=True),
                name="facility_active_position_idx",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("parents:facility_detail", kwargs={"slug": self.slug})


class FacilityConcept(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="concepts")
    concept = models.CharField(_("concept"), max_length=32, choices=Concept.choices)

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        constraints = [
            models.UniqueConstraint(fields=["facility", "concept"], name="facility_concept_unique"),
        ]
        indexes = [models.Index(fields=["concept", "facility"], name="facility_concept_idx")]

    def __str__(self):
        return self.get_concept_display()


class FacilityLanguage(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)

    class Meta:
        verbose_name = _("language spoken")
        verbose_name_plural = _("languages spoken")
        constraints = [
            models.UniqueConstraint(fields=["facility", "language"], name="facility_language_unique"),
        ]
        indexes = [models.Index(fields=["language", "facility"], name="facility_language_idx")]

    def __str__(self):
        return self.get_language_display()


class Capacity(models.Model):
    """How many places a facility has for one age band."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="capacities"
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    places = models.IntegerField(_("places"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        ordering = ["facility", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "age_band"], name="capacity_unique_per_age_band"),
            models.CheckConstraint(condition=Q(places__gte=0), name="capacity_places_not_negative"),
        ]

    def __str__(self):
        return f"{self.facility}: {self.get_age_band_display()} ({self.places})"
