"""The account page where a person creates and revokes their API keys (/konto/api-tokens/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childcare.api import tokens
from childcare.api.forms import TokenForm
from childcare.errors import DomainError
from childcare.web import run_service


@login_required
def token_list(request):
    """The person's keys; a POST creates one and shows its key on this answer only."""
    issued = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = tokens.create_token(user=request.user, **form.cleaned_data)
        except tokens.SecondFactorRequired as error:
            messages.error(request, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "issued": issued,
        "tokens": tokens.tokens_of(request.user),
        "needs_second_factor": tokens.needs_second_factor(request.user),
        "docs_url": reverse("api:docs"),
    }
    response = render(request, "api/token_list.html", context, status=201 if issued else 200)
    # The key is on this page once: no browser or proxy may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, public_id):
    token = tokens.tokens_of(request.user).filter(public_id=public_id).first()
    if token is None:
        raise Http404
    run_service(
        request,
        lambda: tokens.revoke_token(token=token, by=request.user),
        success=_("The key %(prefix)s no longer works.") % {"prefix": token.prefix},
    )
    return redirect("api_tokens")
