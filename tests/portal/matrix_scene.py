"""The objects and personas the permission matrix runs against (tests/portal/test_permission_matrix.py).

Family A applied for facility X (wish live, open offer) and had withdrawn its wish for facility Y;
A's second child was placed at X while its wish for Y turned inactive. So the leader of Y has
no need to know anything about family A any more, and the matrix proves it on every URL.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from childcare.admissions import reconfirmation
from childcare.api.tokens import create_token
from childcare.models import (
    AllocationRound,
    ApplicationDocument,
    ApplicationStatus,
    BackgroundJob,
    GuardianInvitation,
    OfferStatus,
    WishStatus,
)
from notifications.models import OutboxMessage
from portal.models import PortalSettings
from tests.conftest import with_second_factor
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
    StaffMembershipFactory,
    UserFactory,
    WishFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PERSONAS = (
    "anonymous",
    "parent_a",
    "parent_b",
    "co_guardian",
    "leader_x",
    "leader_y",
    "office",
    "superuser",
)


@dataclass
class Scene:
    users: dict
    facility_x: object
    facility_y: object
    child: object
    application: object
    offer: object
    placement: object
    placed_application: object
    document: object
    round: object
    job: object
    invitation: object
    token_public_id: str
    message: object
    confirm_token: str
    content_type_id: int
    api_keys: dict


def build_scene() -> Scene:
    # The settings row is made on first read; made now, so no request of the matrix writes it.
    PortalSettings.load()
    parent_a = UserFactory(email="a@example.org")
    parent_b = UserFactory(email="b@example.org")
    co_guardian = UserFactory(email="co@example.org")
    facility_x = FacilityFactory(slug="kita-x", name="Kita X")
    facility_y = FacilityFactory(slug="hort-y", name="Hort Y")
    CapacityFactory(facility=facility_x)
    leader_x = StaffMembershipFactory(facility=facility_x, user=UserFactory(email="x@example.org")).user
    leader_y = StaffMembershipFactory(facility=facility_y, user=UserFactory(email="y@example.org")).user
    office = with_second_factor(UserFactory(email="office@example.org", is_municipal_office=True))
    superuser = with_second_factor(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))

    child = ChildFactory()
    GuardianshipFactory(user=parent_a, child=child)
    GuardianshipFactory(user=co_guardian, child=child)
    GuardianshipFactory(user=parent_b, child=ChildFactory())  # B has a child of their own
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    wish_x = WishFactory(application=application, facility=facility_x, rank=1)
    WishFactory(application=application, facility=facility_y, rank=2, status=WishStatus.WITHDRAWN)
    offer = OfferFactory(wish=wish_x)

    # A's second child: placed at X; its wish for Y became inactive.
    sibling = ChildFactory()
    GuardianshipFactory(user=parent_a, child=sibling)
    placed_application = ApplicationFactory(child=sibling, status=ApplicationStatus.PLACED)
    placed_wish = WishFactory(
        application=placed_application, facility=facility_x, rank=1, status=WishStatus.ACCEPTED
    )
    WishFactory(application=placed_application, facility=facility_y, rank=2, status=WishStatus.INACTIVE)
    placed_offer = OfferFactory(wish=placed_wish, status=OfferStatus.ACCEPTED)
    placement = PlacementFactory(child=sibling, facility=facility_x, source_offer=placed_offer)

    document = ApplicationDocument.objects.create(
        application=application,
        criterion="residence",
        file=ContentFile(PDF, name="proof.pdf"),
        original_name="proof.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    allocation_round = AllocationRound.objects.create(
        target_start_date=timezone.localdate() + datetime.timedelta(days=200), created_by=office
    )
    job = BackgroundJob.objects.create(kind=BackgroundJob.Kind.POLICY_RESCORING, requested_by=office)
    invitation = GuardianInvitation.objects.create(child=child, email="new@example.org", invited_by=parent_a)
    token = create_token(user=parent_a, name="Handy", scope="read", valid_days=30)
    message = OutboxMessage.objects.create(
        recipient=parent_a,
        to_email=parent_a.email,
        kind="test",
        language="de",
        subject="Hallo",
        body_text="Hallo",
        dedupe_key="matrix-test",
    )
    # Every signed-in persona has a personal API key with write access: the API sees the same people.
    api_keys = {
        persona: create_token(user=user, name="Matrix", scope="write", valid_days=30).key
        for persona, user in (
            ("parent_a", parent_a),
            ("parent_b", parent_b),
            ("co_guardian", co_guardian),
            ("leader_x", leader_x),
            ("leader_y", leader_y),
            ("office", office),
            ("superuser", superuser),
        )
    }
    return Scene(
        api_keys=api_keys,
        users={
            "anonymous": None,
            "parent_a": parent_a,
            "parent_b": parent_b,
            "co_guardian": co_guardian,
            "leader_x": leader_x,
            "leader_y": leader_y,
            "office": office,
            "superuser": superuser,
        },
        facility_x=facility_x,
        facility_y=facility_y,
        child=child,
        application=application,
        offer=offer,
        placement=placement,
        placed_application=placed_application,
        document=document,
        round=allocation_round,
        job=job,
        invitation=invitation,
        token_public_id=token.token.public_id,
        message=message,
        confirm_token=reconfirmation.make_token(application),
        content_type_id=ContentType.objects.get_for_model(application).pk,
    )
