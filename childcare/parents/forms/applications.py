import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.models import Application, Child
from childcare.parents.forms.children import DateInput

CARE_HOURS = [(h, _("%(hours)s hours per week") % {"hours": h}) for h in (20, 25, 30, 35, 40, 45)]
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


class StartForm(forms.ModelForm):
    desired_start_date = forms.DateField(label=_("Desired start date"), widget=DateInput())
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


class CriteriaForm(forms.ModelForm):
    resides_in_municipality = forms.TypedChoiceField(
        label=_("Does the child live in the municipality?"),
        choices=YES_NO,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )
    guardians_working_or_training = forms.TypedChoiceField(
        label=_("How many guardians are working or in training?"),
        choices=[(0, _("None")), (1, _("One")), (2, _("Two"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    single_parent = forms.BooleanField(label=_("I am a single parent"), required=False)
    hardship_referral = forms.BooleanField(
        label=_("The youth office has referred us (hardship case)"), required=False
    )
    integration_need = forms.BooleanField(label=_("The child needs integration support"), required=False)

    class Meta:
        model = Application
        fields = [
            "resides_in_municipality",
            "guardians_working_or_training",
            "single_parent",
            "hardship_referral",
            "integration_need",
        ]


class AddWishForm(forms.Form):
    facility = forms.SlugField(label=_("Add a facility"))


class SubmitForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I agree that the municipality processes these data to allocate a daycare place."),
        error_messages={"required": _("Please agree to the processing of your data.")},
    )
