import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.models import Child

MAX_YEARS_OLD = 12


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalendarDateField(forms.DateField):
    """A date picked in the browser's calendar field.

    The browser sends an empty value for a date that does not exist (29.02.2027), so "required"
    alone would tell the family the field is empty while they see a date in it.
    """

    widget = DateInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        message = _("Please enter a valid date (day, month and year).")
        self.error_messages = {**self.error_messages, "required": message, "invalid": message}


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        field_classes = {"birth_date": CalendarDateField}
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "birth_date_is_expected",
            "needs_integration_support",
            "needs_notes",
            "home_languages",
        ]
        widgets = {
            "birth_date": DateInput(),
            "needs_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "birth_date": _("For a child not yet born, enter the expected date of birth."),
            "home_languages": _("For example: German, Turkish"),
        }

    def clean(self):
        cleaned = super().clean()
        birth = cleaned.get("birth_date")
        expected = cleaned.get("birth_date_is_expected")
        if not birth:
            return cleaned
        today = timezone.localdate()
        if birth > today + datetime.timedelta(days=365):
            self.add_error("birth_date", _("The expected date of birth can be at most 12 months ahead."))
        elif birth > today and not expected:
            self.add_error(
                "birth_date",
                _("This date is in the future. Tick 'expected date of birth' for a child not yet born."),
            )
        elif birth < today.replace(year=today.year - MAX_YEARS_OLD):
            self.add_error("birth_date", _("Children older than 12 years cannot be registered."))
        return cleaned
