"""Forms of the staff pages: waitlist filters and one form per action on a candidate."""

import datetime
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.admissions.waitlist_actions import MAX_BULK_OFFERS
from childcare.models import AgeBand
from childcare.parents.forms.children import CalendarDateField

MAX_CARE_HOURS = 60
MAX_TEXT = 4000

STATE_ALL = "all"
STATE_ACTIVE = "active"
STATE_OFFERED = "offered"
STATES = [
    (STATE_ALL, _("All on the waitlist")),
    (STATE_ACTIVE, _("Waiting for an offer")),
    (STATE_OFFERED, _("Offer open")),
]


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class WaitlistFilterForm(forms.Form):
    """The waitlist's filters; values travel in the URL so a filtered list can be bookmarked and shared."""

    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices, required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    start_month = forms.DateField(
        label=_("Desired start in"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month as YYYY-MM, e.g. 2026-08.")},
    )


def suggested_start(desired_starts: Iterable[datetime.date | None]) -> datetime.date:
    """The start date an offer form suggests: the earliest desired start given, never before tomorrow.

    A single offer passes the family's own desired start; "offer the next places" passes those of the
    families waiting at the top of the list. Offers then start on max(this date, the family's desired
    start), so both forms suggest the same start for the same family.
    """
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    dates = [day for day in desired_starts if day]
    return max(min(dates), tomorrow) if dates else tomorrow


# Dates staff and the office enter stay in a window that real planning needs: a typo such as
# 9999-12-31 or 2062 is refused with the limit named instead of being computed and sent out.
YEARS_AHEAD = 3
ANSWER_DAYS_AHEAD = 90
PLACEMENT_DAYS_BACK = 365


def latest_start_date() -> datetime.date:
    return timezone.localdate() + relativedelta(years=YEARS_AHEAD)


def check_start_date(day: datetime.date, *, days_back: int = 0) -> datetime.date:
    """A start date from ``days_back`` days ago (0: today) up to ``YEARS_AHEAD`` years ahead."""
    if day < timezone.localdate() - datetime.timedelta(days=days_back):
        if days_back:
            raise forms.ValidationError(
                _("The start date must not be more than %(days)s days in the past.") % {"days": days_back}
            )
        raise forms.ValidationError(_("The start date must not be in the past."))
    if day > latest_start_date():
        raise forms.ValidationError(
            _("The start date must be within the next %(years)s years.") % {"years": YEARS_AHEAD}
        )
    return day


def check_answer_deadline(day: datetime.date) -> datetime.date:
    """An answer deadline from today up to ``ANSWER_DAYS_AHEAD`` days ahead."""
    if day < timezone.localdate():
        raise forms.ValidationError(_("The deadline must not be in the past."))
    if day > timezone.localdate() + datetime.timedelta(days=ANSWER_DAYS_AHEAD):
        raise forms.ValidationError(
            _("The deadline must be within the next %(days)s days.") % {"days": ANSWER_DAYS_AHEAD}
        )
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last second of ``day`` in the portal's time zone: what "answer by" a date means."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


class OfferTermsForm(forms.Form):
    """Start date and answer deadline of an offer."""

    # Calendar fields: an impossible date (31.02.) reaches us empty, so "required" says "not valid".
    start_date = CalendarDateField(label=_("Start date"))
    answer_by = CalendarDateField(
        label=_("Answer by"),
        help_text=_("The family can accept until the end of this day."),
    )

    def clean_start_date(self):
        return check_start_date(self.cleaned_data["start_date"])

    def clean_answer_by(self):
        return check_answer_deadline(self.cleaned_data["answer_by"])

    @property
    def expires_at(self) -> datetime.datetime:
        return end_of_day(self.cleaned_data["answer_by"])


class OfferNextForm(OfferTermsForm):
    """Offer places to the next ``count`` candidates of one age band at once.

    Its ids are prefixed: the waitlist page shows it next to the filter form, which also has an age band.
    """

    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    count = forms.IntegerField(
        label=_("Number of offers"),
        min_value=1,
        max_value=MAX_BULK_OFFERS,
        help_text=_("Never more than there are free places from the start date."),
    )

    start_date = CalendarDateField(
        label=_("Start at the earliest"),
        help_text=_(
            "Each offer starts on the family's desired start, but not before this date. "
            "Suggested: the earliest desired start of the families waiting at the top of the list, "
            "at the earliest tomorrow. Free places are counted from this date."
        ),
    )

    field_order = ["age_band", "count", "start_date", "answer_by"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "offer-next-%s")
        super().__init__(*args, **kwargs)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The family will see this reason."),
        error_messages={"required": _("Please give a reason; the family will see it.")},
    )


class PlacementForm(forms.Form):
    """A place agreed outside the portal (e.g. by phone), recorded so the waitlist stays true."""

    start_date = CalendarDateField(label=_("Start date"))
    care_hours_per_week = forms.IntegerField(
        label=_("Care scope (hours per week)"),
        required=False,
        min_value=1,
        max_value=MAX_CARE_HOURS,
        help_text=_("Leave empty to use the hours the family asked for."),
    )

    def clean_start_date(self):
        # A place agreed by phone may be recorded after the child started.
        return check_start_date(self.cleaned_data["start_date"], days_back=PLACEMENT_DAYS_BACK)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff and the municipal office see notes; the family does not."),
        error_messages={"required": _("Please write a note.")},
    )


class ConfirmForm(forms.Form):
    """No fields: the button press is the confirmation."""
