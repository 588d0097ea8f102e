from childcare.models.applications import Application, ApplicationEvent, Wish
from childcare.models.children import Child, Guardianship
from childcare.models.choices import (
    OPEN_APPLICATION_STATUSES,
    AgeBand,
    ApplicationStatus,
    Concept,
    FacilityType,
    Language,
    Meals,
    OfferStatus,
    PlacementStatus,
    ProviderKind,
    StaffRole,
    WishStatus,
)
from childcare.models.configuration import PriorityPolicy
from childcare.models.documents import ApplicationDocument, GuardianInvitation
from childcare.models.facilities import Capacity, Facility, FacilityConcept, FacilityLanguage, Provider
from childcare.models.placements import Offer, Placement
from childcare.models.rounds import AllocationRound
from childcare.models.staff import StaffMembership

__all__ = [
    "OPEN_APPLICATION_STATUSES",
    "AllocationRound",
    "AgeBand",
    "Application",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationStatus",
    "Capacity",
    "Child",
    "Concept",
    "Facility",
    "FacilityConcept",
    "FacilityLanguage",
    "FacilityType",
    "GuardianInvitation",
    "Guardianship",
    "Language",
    "Meals",
    "Offer",
    "OfferStatus",
    "Placement",
    "PlacementStatus",
    "PriorityPolicy",
    "Provider",
    "ProviderKind",
    "StaffMembership",
    "StaffRole",
    "Wish",
    "WishStatus",
]
