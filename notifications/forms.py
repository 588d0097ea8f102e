from django import forms

from notifications.kinds import KINDS


class EmailChoicesForm(forms.Form):
    """One checkbox per optional kind the user can get, e.g. better waiting list positions."""

    def __init__(self, *args, choices: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for name, enabled in choices.items():
            self.fields[name] = forms.BooleanField(label=KINDS[name].label, required=False, initial=enabled)
