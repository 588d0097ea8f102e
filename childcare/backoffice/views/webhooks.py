"""A facility's webhook endpoints: its staff add, pause, resume and remove them.

A new endpoint's secret is shown once, on the answer to the POST that created it, and never
again (it does not go through the session's messages either).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.api import webhooks
from childcare.backoffice.lookups import staff_facility
from childcare.models import WebhookDelivery
from childcare.web import run_service


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address (https://…)"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Your daycare software's address for events from the portal."),
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith("https://"):
            raise forms.ValidationError(_("Enter an https:// address."))
        return url


class EndpointChoiceForm(forms.Form):
    endpoint = forms.UUIDField()
    action = forms.ChoiceField(choices=[("pause", "pause"), ("resume", "resume"), ("delete", "delete")])


def _endpoints(facility):
    failed = Q(deliveries__status=WebhookDelivery.Status.FAILED)
    waiting = Q(deliveries__status__in=[WebhookDelivery.Status.QUEUED, WebhookDelivery.Status.SENDING])
    return webhooks.endpoints_of(facility).annotate(
        failed=Count("deliveries", filter=failed), waiting=Count("deliveries", filter=waiting)
    )


@login_required
def webhook_list(request, slug):
    facility = staff_facility(request, slug)
    form, created = EndpointForm(), None
    if request.method == "POST" and "url" in request.POST:
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                created = webhooks.create_endpoint(
                    facility=facility, url=form.cleaned_data["url"], by=request.user
                )
            except ValidationError as error:
                form.add_error("url", error.message_dict.get("url", error.messages))
            else:
                form = EndpointForm()
    elif request.method == "POST":
        return _change(request, facility)
    return render(
        request,
        "childcare/staff/webhooks.html",
        {"facility": facility, "endpoints": _endpoints(facility), "form": form, "created": created},
        status=400 if form.errors else 200,
    )


def _change(request, facility):
    choice = EndpointChoiceForm(request.POST)
    if not choice.is_valid():
        raise Http404
    endpoint = webhooks.endpoints_of(facility).filter(public_id=choice.cleaned_data["endpoint"]).first()
    if endpoint is None:
        raise Http404
    action = choice.cleaned_data["action"]
    if action == "delete":
        run_service(
            request,
            lambda: webhooks.delete_endpoint(endpoint=endpoint, by=request.user),
            success=_("The endpoint was removed."),
        )
    else:
        run_service(
            request,
            lambda: webhooks.set_endpoint_active(
                endpoint=endpoint, active=action == "resume", by=request.user
            ),
            success=_("The endpoint receives events again.")
            if action == "resume"
            else _("The endpoint is paused."),
        )
    return redirect("backoffice:webhooks", slug=facility.slug)
