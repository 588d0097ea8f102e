"""Signed one-click links that confirm a family's continued interest without signing in.

The token names the application and the moment of its last confirmation, so it
works once per re-confirmation cycle and stops working after the grace period.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core import signing
from django.urls import reverse

from childcare.models import Application, ApplicationStatus
from portal.models import PortalSettings

# The family may confirm this long before the request goes out; earlier, a button would only puzzle.
CONFIRM_EARLY = datetime.timedelta(days=30)

SALT = "childcare.admissions.reconfirmation"


def make_token(application: Application) -> str:
    stamp = int(application.last_confirmed_at.timestamp()) if application.last_confirmed_at else 0
    return signing.TimestampSigner(salt=SALT).sign(f"{application.public_id}:{stamp}")


def confirmation_path(application: Application) -> str:
    return reverse("parents:interest_confirm_link", args=[make_token(application)])


class InvalidLink(Exception):
    """The link was altered, belongs to an earlier cycle, or is too old."""


def application_from_token(token: str, *, max_age: datetime.timedelta) -> Application:
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
        public_id, stamp = value.rsplit(":", 1)
        application = Application.objects.select_related("child").get(public_id=public_id)
    except (signing.BadSignature, ValueError, Application.DoesNotExist):
        raise InvalidLink from None
    current = int(application.last_confirmed_at.timestamp()) if application.last_confirmed_at else 0
    if str(current) != stamp:
        raise InvalidLink
    return application


def confirmation_deadline(
    *,
    status: str,
    last_confirmed_at: datetime.datetime | None,
    portal: PortalSettings,
    now: datetime.datetime,
) -> datetime.datetime | None:
    """The date by which the family must confirm its interest, once confirming is due; else None.

    Due from the re-confirmation interval minus ``CONFIRM_EARLY``; the application expires at the
    interval plus the grace period (see ``reminders.expire_unconfirmed_applications``).
    """
    if status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING):
        return None
    if last_confirmed_at is None:
        return None
    interval = relativedelta(months=portal.reconfirmation_interval_months)
    if now < last_confirmed_at + interval - CONFIRM_EARLY:
        return None
    return last_confirmed_at + interval + datetime.timedelta(days=portal.reconfirmation_grace_days)
