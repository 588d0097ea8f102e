"""Forms of the allocation round pages: a new round's target date, the deadline of its offers."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from childcare.backoffice.forms.staff import YEARS_AHEAD, check_answer_deadline, end_of_day, latest_start_date
from childcare.parents.forms.children import CalendarDateField, DateInput


class RoundForm(forms.Form):
    """Only the date: whether it is in the future is the service's rule, shown as its message; the
    upper bound is checked here too, so the form shows it next to the field."""

    target_start_date = forms.DateField(
        label=_("Target start date"),
        widget=DateInput(),
        help_text=_("Children who want to start by this date take part; places are counted from it."),
        # One message, next to the field and in the summary; the page adds no second one. The
        # browser sends an impossible date (31.02.) as empty, so "required" says "not valid" too.
        error_messages={
            "required": _("Please enter a valid target start date."),
            "invalid": _("Please enter a valid target start date."),
        },
    )

    def clean_target_start_date(self) -> datetime.date:
        day = self.cleaned_data["target_start_date"]
        if day > latest_start_date():
            raise forms.ValidationError(
                _("The target start date must be within the next %(years)s years.") % {"years": YEARS_AHEAD}
            )
        return day


class PublishForm(forms.Form):
    answer_by = CalendarDateField(
        label=_("Answer by"),
        help_text=_("Every family with an offer can accept until the end of this day."),
    )

    def clean_answer_by(self) -> datetime.date:
        return check_answer_deadline(self.cleaned_data["answer_by"])

    @property
    def expires_at(self) -> datetime.datetime:
        return end_of_day(self.cleaned_data["answer_by"])
