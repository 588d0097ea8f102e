import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from childcare.admissions import criteria
from childcare.models import Application, Child
from childcare.parents.forms.children import CalendarDateField

# Interpolated when shown, not at import: "%" on a lazy string would fix the language of the first import.
hours_per_week = lazy(lambda hours: gettext("%(hours)s hours per week") % {"hours": hours}, str)
CARE_HOURS = [(h, hours_per_week(h)) for h in (20, 25, 30, 35, 40, 45)]
YES_NO = [(True, _("Yes")), (False, _("No"))]


class ChooseChildForm(forms.Form):
    child = forms.ModelChoiceField(
        label=_("For which child do you need a place?"),
        queryset=Child.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        first_two = list(children[:2])
        if len(first_two) == 1:  # nothing to choose: the one child is chosen already
            self.initial["child"] = first_two[0].pk


class StartForm(forms.ModelForm):
    desired_start_date = CalendarDateField(label=_("Desired start date"))
    care_hours_per_week = forms.TypedChoiceField(
        label=_("Care scope"), choices=CARE_HOURS, coerce=int, widget=forms.RadioSelect
    )

    class Meta:
        model = Application
        fields = ["desired_start_date", "care_hours_per_week"]

    def clean_desired_start_date(self):
        start = self.cleaned_data["desired_start_date"]
        today = timezone.localdate()
        if start <= today:
            raise forms.ValidationError(_("The desired start date must be in the future."))
        if start > today + datetime.timedelta(days=3 * 365):
            raise forms.ValidationError(_("You can apply at most three years ahead."))
        return start


def _yes_no(value) -> bool | None:
    return {"True": True, "False": False}.get(str(value))


class CriteriaForm(forms.ModelForm):
    """The priority questions as radio buttons with nothing chosen until the family answers."""

    class Meta:
        model = Application
        fields = list(criteria.QUESTIONS)

    def __init__(self, *args, municipality: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in criteria.QUESTIONS:
            if name == "guardians_working_or_training":
                field = forms.TypedChoiceField(
                    choices=[(0, _("None")), (1, _("One")), (2, _("Two"))], coerce=int, empty_value=None
                )
            else:
                field = forms.TypedChoiceField(choices=YES_NO, coerce=_yes_no, empty_value=None)
            field.widget = forms.RadioSelect(choices=field.choices)
            field.label = criteria.question(name, municipality=municipality)
            field.error_messages["required"] = criteria.please_answer(name, municipality=municipality)
            self.fields[name] = field

    def changed_answers(self) -> dict:
        """The valid answers that differ from the stored ones, also when other questions are still
        unanswered: a draft keeps what the family has answered so far."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value != self.initial.get(name)
        }


class AddWishForm(forms.Form):
    facility = forms.SlugField(label=_("Add a facility"))


class SubmitForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I agree that the municipality processes these data to allocate a daycare place."),
        error_messages={"required": _("Please agree to the processing of your data.")},
    )
