"""A family's rights over their data: download everything, delete the account.

Export: one ZIP with ``data.json`` (machine-readable, every record about the user and their
children), ``summary.pdf`` (the same in plain words) and the uploaded proofs.

Deletion: open applications are withdrawn through the normal service (an open offer is given up
and goes to the next family), drafts are deleted. A child the user shares with another guardian
stays with them; any other child is anonymised like the retention run does (names, notes, proofs
gone; dates, age bands, facilities and statuses stay as anonymous statistics the municipality must
keep). Then the account goes, with its messages, tokens and invitations. The audit log keeps its
entries (with the e-mail address at the time) until its own retention period ends: it is the
record of who accessed the data, which the law requires to keep.
"""

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.platypus import Flowable

from childcare.admissions import applications as application_services
from childcare.admissions import retention
from childcare.letters.base import PdfDocument, facts, format_date, heading, item, para
from childcare.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Child,
)
from notifications.models import OutboxMessage
from portal.models import PortalSettings


def _proof_name(document) -> str:
    return f"proofs/{document.public_id}-{document.original_name}"


def _children(user):
    return Child.objects.filter(guardianships__user=user).order_by("pk").distinct()


def collect(user) -> dict:
    """Everything stored about ``user`` and their children, as plain JSON-ready data."""
    children = []
    for child in _children(user).prefetch_related("placements__facility"):
        applications = []
        for application in (
            Application.objects.filter(child=child)
            .prefetch_related("wishes__facility", "offers__wish__facility", "events", "documents")
            .order_by("pk")
        ):
            applications.append(
                {
                    "reference": application.reference,
                    "status": application.status,
                    "desired_start_date": application.desired_start_date,
                    "care_hours_per_week": application.care_hours_per_week,
                    "resides_in_municipality": application.resides_in_municipality,
                    "guardians_working_or_training": application.guardians_working_or_training,
                    "single_parent": application.single_parent,
                    "hardship_referral": application.hardship_referral,
                    "integration_need": application.integration_need,
                    "submitted_at": application.submitted_at,
                    "last_confirmed_at": application.last_confirmed_at,
                    "wishes": [
                        {
                            "rank": wish.rank,
                            "facility": wish.facility.name,
                            "status": wish.status,
                            "points": wish.points,
                            "age_band": wish.age_band,
                        }
                        for wish in application.wishes.all()
                    ],
                    "offers": [
                        {
                            "facility": offer.wish.facility.name,
                            "start_date": offer.start_date,
                            "expires_at": offer.expires_at,
                            "status": offer.status,
                        }
                        for offer in application.offers.all()
                    ],
                    # Internal staff notes are the facilities' working notes, not shown to families.
                    "timeline": [
                        {
                            "at": event.created_at,
                            "kind": event.kind,
                            "from": event.from_status,
                            "to": event.to_status,
                        }
                        for event in application.events.all()
                        if event.visible_to_parents
                    ],
                    "proofs": [
                        {
                            "file": f"proofs/{document.public_id}-{document.original_name}",
                            "criterion": document.criterion,
                        }
                        for document in application.documents.all()
                    ],
                }
            )
        children.append(
            {
                "first_name": child.first_name,
                "last_name": child.last_name,
                "birth_date": child.birth_date,
                "birth_date_is_expected": child.birth_date_is_expected,
                "needs_integration_support": child.needs_integration_support,
                "needs_notes": child.needs_notes,
                "home_languages": child.home_languages,
                "applications": applications,
                "placements": [
                    {
                        "facility": placement.facility.name,
                        "start_date": placement.start_date,
                        "end_date": placement.end_date,
                        "status": placement.status,
                    }
                    for placement in child.placements.all()
                ],
            }
        )
    return {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "children": children,
        "messages": list(
            OutboxMessage.objects.filter(recipient=user)
            .order_by("pk")
            .values("created_at", "kind", "subject", "body_text", "status")
        ),
        "api_tokens": list(user.api_tokens.order_by("pk").values("name", "scope", "expires_at")),
    }


class DataSummary(PdfDocument):
    """The export in plain words, for people who do not read JSON."""

    title = gettext_lazy("Your data in the portal")
    file_label = "data"

    def reference(self, obj) -> str:
        return obj["account"]["email"]

    def body(self, data, *, portal: PortalSettings) -> list[Flowable]:
        story = [
            facts(
                [
                    (_("E-mail address"), data["account"]["email"]),
                    (_("Registered since"), format_date(data["account"]["date_joined"].date())),
                ]
            )
        ]
        for child in data["children"]:
            story.append(heading(f"{child['first_name']} {child['last_name']}"))
            story.append(para(_("Date of birth") + ": " + format_date(child["birth_date"])))
            for application in child["applications"]:
                story.append(
                    para(_("Application") + f" {application['reference']} ({application['status']})")
                )
                story.extend(
                    item(f"{wish['rank']}. {wish['facility']} – {wish['status']}")
                    for wish in application["wishes"]
                )
            story.extend(
                item(f"{_('Placement')}: {p['facility']}, {format_date(p['start_date'])}")
                for p in child["placements"]
            )
        story.append(para(_("Messages received: %(count)s") % {"count": len(data["messages"])}))
        return story


def export_zip(user) -> bytes:
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        archive.writestr("summary.pdf", DataSummary().render(data, language=user.language or "de"))
        for document in ApplicationDocument.objects.filter(application__child__in=_children(user)):
            with document.file.open("rb") as stored:
                archive.writestr(_proof_name(document), stored.read())
    return buffer.getvalue()


def delete_account(*, user) -> None:
    """Withdraw, anonymise, delete (see the module's text). Runs in one transaction per step."""
    for child in list(_children(user)):
        shared = child.guardianships.exclude(user=user).exists()
        for application in Application.objects.filter(child=child, status__in=OPEN_APPLICATION_STATUSES):
            if application.status == ApplicationStatus.DRAFT:
                continue
            if not shared:
                application_services.withdraw_application(application=application, by=user)
        with transaction.atomic():
            if shared:
                child.guardianships.filter(user=user).delete()
                continue
            drafts = Application.objects.filter(child=child, status=ApplicationStatus.DRAFT)
            retention.anonymise_child(child)
            drafts.delete()  # never submitted: nothing the municipality has to keep
    with transaction.atomic():
        user.delete()
