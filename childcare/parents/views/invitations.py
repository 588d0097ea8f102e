"""A guardian invites a second adult; the invited person accepts while signed in with that address."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.admissions import proofs as services
from childcare.admissions.selectors import child_for_guardian
from childcare.models import Child, GuardianInvitation
from childcare.web import problem_page, run_service


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address of the other guardian"))


@login_required
def guardian_invite(request, public_id):
    try:
        child = child_for_guardian(user=request.user, public_id=public_id)
    except Child.DoesNotExist:
        raise Http404 from None
    form = InviteForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            lambda: services.invite_guardian(child=child, by=request.user, email=form.cleaned_data["email"]),
            success=_("The invitation was sent."),
        )
    ):
        return redirect("parents:child_list")
    return render(request, "childcare/children/invite.html", {"form": form, "child": child})


@login_required
def invitation_accept(request, public_id):
    invitation = (
        GuardianInvitation.objects.select_related("child", "invited_by")
        .filter(public_id=public_id, email=request.user.email.lower(), accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return problem_page(
            request,
            heading=_("This invitation cannot be opened"),
            explanation=_(
                "There is no open invitation behind this link for the account you are signed in with."
            ),
            reasons=[
                _("The invitation was sent to another e-mail address than %(email)s.")
                % {"email": request.user.email},
                _("It has already been accepted, or the person who invited you has withdrawn it."),
            ],
            advice=_(
                "Sign out and sign in with the address the invitation was sent to, "
                "or ask the person who invited you for a new invitation."
            ),
            action=(reverse("parents:child_list"), _("My children")),
            status=404,
        )
    if request.method == "POST":
        run_service(
            request,
            lambda: services.accept_invitation(invitation=invitation, by=request.user),
            success=_("You can now see and manage %(name)s.") % {"name": invitation.child.first_name},
        )
        return redirect("parents:child_list")
    return render(request, "childcare/children/invitation_accept.html", {"invitation": invitation})
