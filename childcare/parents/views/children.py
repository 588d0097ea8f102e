from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from childcare.admissions import children as services
from childcare.admissions.selectors import child_for_guardian, children_of
from childcare.models import Child
from childcare.parents.forms.children import ChildForm
from childcare.web import run_service


def _own_child(request, public_id) -> Child:
    try:
        return child_for_guardian(user=request.user, public_id=public_id)
    except Child.DoesNotExist:
        raise Http404 from None


@login_required
def child_list(request):
    children = children_of(request.user).prefetch_related("applications")
    return render(request, "childcare/children/list.html", {"children": children})


@login_required
def child_create(request):
    form = ChildForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        child = services.add_child(by=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s was added.") % {"name": child.first_name})
        if request.GET.get("next") != "apply":
            return redirect("parents:child_list")
        start = reverse("parents:application_start")
        # Started from the wish list: carry that on to the application.
        return redirect(f"{start}?wishes=basket" if request.GET.get("wishes") == "basket" else start)
    return render(request, "childcare/children/form.html", {"form": form, "child": None})


@login_required
def child_edit(request, public_id):
    child = _own_child(request, public_id)
    form = ChildForm(request.POST if request.method == "POST" else None, instance=child)
    if request.method == "POST" and form.is_valid():
        services.update_child(child=child, by=request.user, **form.cleaned_data)
        messages.success(request, _("The details of %(name)s were saved.") % {"name": child.first_name})
        return redirect("parents:child_list")
    return render(request, "childcare/children/form.html", {"form": form, "child": child})


@login_required
def child_delete(request, public_id):
    child = _own_child(request, public_id)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.remove_child(child=child, by=request.user),
            success=_("%(name)s was removed.") % {"name": child.first_name},
        )
        return redirect("parents:child_list")
    return render(request, "childcare/children/confirm_delete.html", {"child": child})
