"""Periodic jobs: expire offers, remind families of deadlines, ask them to re-confirm, expire the silent.

Each job is idempotent: it re-checks state under a row lock and every message has
a dedupe key, so two beats running by mistake send nothing twice.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_guardians
from childcare.admissions.offers import expire_offer
from childcare.admissions.reconfirmation import confirmation_path
from childcare.models import Application, ApplicationStatus, Offer, OfferStatus, WishStatus
from portal.models import PortalSettings

WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING)


def expire_due_offers(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    due = Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).order_by("expires_at")
    return sum(expire_offer(offer=offer, now=now) for offer in due)


def send_offer_reminders(*, now: datetime.datetime | None = None) -> int:
    """One reminder per open offer once its deadline is at most the configured lead away."""
    now = now or timezone.now()
    lead = datetime.timedelta(days=PortalSettings.load().reminder_lead_days)
    due = Offer.objects.filter(status=OfferStatus.OPEN, expires_at__gt=now, expires_at__lte=now + lead)
    for offer in due.select_related("application__child", "wish__facility"):
        with transaction.atomic():
            tell_guardians(
                application=offer.application,
                kind="offer_reminder",
                key=f"offer:{offer.pk}:reminder",
                context={"offer": offer, "facility": offer.wish.facility},
            )
    return due.count()


def _cycle(portal: PortalSettings) -> tuple[relativedelta, datetime.timedelta]:
    return relativedelta(months=portal.reconfirmation_interval_months), datetime.timedelta(
        days=portal.reconfirmation_grace_days
    )


def request_reconfirmations(*, now: datetime.datetime | None = None) -> int:
    """Ask families whose last confirmation is older than the interval; once per cycle."""
    now = now or timezone.now()
    interval, grace = _cycle(PortalSettings.load())
    due = Application.objects.filter(status__in=WAITING, last_confirmed_at__lte=now - interval)
    count = 0
    for application in due.select_related("child"):
        deadline = application.last_confirmed_at + interval + grace
        with transaction.atomic():
            tell_guardians(
                application=application,
                kind="reconfirmation_request",
                key=f"application:{application.pk}:reconfirm:{int(application.last_confirmed_at.timestamp())}",
                context={"deadline": deadline, "link": confirmation_path(application)},
            )
        count += 1
    return count


def expire_unconfirmed_applications(*, now: datetime.datetime | None = None) -> int:
    """Take applications off the waitlists when the grace period after the request has passed."""
    now = now or timezone.now()
    interval, grace = _cycle(PortalSettings.load())
    cutoff = now - grace - interval  # the inverse of last confirmation + interval + grace
    expired = 0
    for pk in Application.objects.filter(status__in=WAITING, last_confirmed_at__lte=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            application = Application.objects.select_for_update().select_related("child").get(pk=pk)
            if application.status not in WAITING or application.last_confirmed_at > cutoff:
                continue
            old = application.status
            application.status = ApplicationStatus.EXPIRED
            application.save(update_fields=["status", "updated_at"])
            application.wishes.filter(status=WishStatus.ACTIVE).update(status=WishStatus.WITHDRAWN)
            record_event(
                application=application, kind="expired", from_status=old, to_status=application.status
            )
            tell_guardians(
                application=application,
                kind="application_expired",
                key=f"application:{application.pk}:expired",
                context={},
            )
            expired += 1
    return expired
