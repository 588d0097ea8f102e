"""Forms of the allocation round pages: a new round's target date, the deadline of its offers."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.backoffice.forms.staff import end_of_day
from childcare.parents.forms.children import DateInput


class RoundForm(forms.Form):
    """Only the date: whether it is in the future is the service's rule, shown as its message."""

    target_start_date = forms.DateField(
        label=_("Target start date"),
        widget=DateInput(),
        help_text=_("Children who want to start by this date take part; places are counted from it."),
        # One message, next to the field and in the summary; the page adds no second one.
        error_messages={
            "required": _("Please enter the target start date."),
            "invalid": _("Please enter a valid target start date."),
        },
    )


class PublishForm(forms.Form):
    answer_by = forms.DateField(
        label=_("Answer by"),
        widget=DateInput(),
        help_text=_("Every family with an offer can accept until the end of this day."),
    )

    def clean_answer_by(self) -> datetime.date:
        day = self.cleaned_data["answer_by"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The deadline must not be in the past."))
        return day

    @property
    def expires_at(self) -> datetime.datetime:
        return end_of_day(self.cleaned_data["answer_by"])
