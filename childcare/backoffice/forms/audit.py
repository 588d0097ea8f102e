"""Filters of the audit log page."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from childcare.parents.forms.children import CalendarDateField
from portal.models import AuditEntry


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=_("Who (e-mail contains)"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All"))] + AuditEntry.Action.choices
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    object_ref = forms.CharField(
        label=_("Object (reference or id)"),
        required=False,
        max_length=200,
        help_text=_("Also finds lists and exports that contained it."),
    )
    date_from = CalendarDateField(label=_("From"), required=False)
    date_to = CalendarDateField(label=_("Until"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data

    def filter(self, entries):
        """Entries matching the valid filters (all of them if the form is empty or invalid)."""
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["who"]:
            entries = entries.filter(actor_label__icontains=data["who"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type__iexact=data["object_type"])
        if data["object_ref"]:
            ref = data["object_ref"]
            entries = entries.filter(Q(object_ref__iexact=ref) | Q(detail__icontains=ref))
        if data["date_from"]:
            entries = entries.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(at__date__lte=data["date_to"])
        return entries
