from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from childcare.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the name of your daycare software."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("Give a key only the access it needs."),
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        initial=90,
        help_text=_("The key stops working after this many days."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The longest validity is a setting, read when the form is made rather than at import.
        longest = settings.API_TOKEN_MAX_DAYS
        field = self.fields["valid_days"]
        field.max_value = longest
        field.validators.append(MaxValueValidator(longest))
        field.widget.attrs["max"] = longest
