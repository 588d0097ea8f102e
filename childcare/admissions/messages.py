"""Messages to the people an application concerns, written in the changing transaction."""

from django.conf import settings

from childcare.models import Application, Facility
from notifications.services import notify


def link(path: str = "/") -> str:
    return f"{settings.SITE_URL}{path}"


def tell_guardians(*, application: Application, kind: str, key: str, context: dict, attachments=()) -> None:
    """One message per guardian of the child; ``key`` makes each message unique per event."""
    base = {"application": application, "child": application.child, "link": link()}
    for guardian in application.child.guardians.all():
        notify(
            recipient=guardian,
            kind=kind,
            dedupe_key=f"{key}:user:{guardian.pk}",
            context={**base, **context},
            attachments=attachments,
        )


def tell_facility_staff(*, facility: Facility, kind: str, key: str, context: dict) -> None:
    for membership in facility.staff_memberships.select_related("user"):
        notify(
            recipient=membership.user,
            kind=kind,
            dedupe_key=f"{key}:user:{membership.user_id}",
            context={"facility": facility, "link": link(), **context},
        )
