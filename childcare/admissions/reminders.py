"""Periodic jobs: expire offers, remind families of deadlines, ask them to re-confirm, expire the silent.

Each job is idempotent: it re-checks state under a row lock and every message has
a dedupe key, so two beats running by mistake send nothing twice.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions.locking import lock_rows
from childcare.admissions.messages import tell_guardians
from childcare.admissions.offers import expire_offer
from childcare.admissions.reconfirmation import confirmation_path
from childcare.admissions.transitions import application as application_transitions
from childcare.models import WAITING_APPLICATION_STATUSES, Application, Offer, OfferStatus
from portal.models import PortalSettings


def expire_due_offers(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    due = Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).order_by("expires_at")
    return sum(expire_offer(offer=offer, by=SYSTEM, now=now) for offer in due.select_related("wish"))


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
    due = Application.objects.filter(
        status__in=WAITING_APPLICATION_STATUSES, last_confirmed_at__lte=now - interval
    )
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
    for pk in Application.objects.filter(
        status__in=WAITING_APPLICATION_STATUSES, last_confirmed_at__lte=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = lock_rows(applications=[pk]).applications[pk]
            if (
                application.status not in WAITING_APPLICATION_STATUSES
                or application.last_confirmed_at > cutoff
            ):
                continue
            application_transitions.expire(application=application)
            expired += 1
    return expired
