from childcare.models.applications import Application, ApplicationEvent, Wish
from childcare.models.availability import ProgramAvailability
from childcare.models.children import Child, Guardianship
from childcare.models.choices import (
    LISTED_APPLICATION_STATUSES,
    LISTED_WISH_STATUSES,
    OPEN_APPLICATION_STATUSES,
    STAFF_VISIBLE_WISH_STATUSES,
    WAITING_APPLICATION_STATUSES,
    ActorKind,
    AgeBand,
    ApplicationStatus,
    Concept,
    EventKind,
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
from childcare.models.jobs import BackgroundJob
from childcare.models.placements import Offer, Placement
from childcare.models.round_rows import RoundApplicant, RoundProgram
from childcare.models.rounds import AllocationRound
from childcare.models.staff import StaffMembership
from childcare.models.tokens import ApiToken
from childcare.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "LISTED_APPLICATION_STATUSES",
    "LISTED_WISH_STATUSES",
    "OPEN_APPLICATION_STATUSES",
    "STAFF_VISIBLE_WISH_STATUSES",
    "WAITING_APPLICATION_STATUSES",
    "ActorKind",
    "ApiToken",
    "EventKind",
    "AllocationRound",
    "BackgroundJob",
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
    "ProgramAvailability",
    "RoundApplicant",
    "RoundProgram",
    "ProviderKind",
    "StaffMembership",
    "StaffRole",
    "Wish",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WishStatus",
]
