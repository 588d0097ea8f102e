from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.delivery import supersede_stale_waiting
from notifications.forms import EmailChoicesForm
from notifications.kinds import transactional_kinds
from notifications.models import OutboxMessage
from notifications.preferences import audiences_of, email_choices, set_email_choices

MESSAGES_PER_PAGE = 20


# ?versions=all shows superseded messages too ("show older versions").
ALL_VERSIONS = "all"


@login_required
def inbox(request):
    with_superseded = request.GET.get("versions") == ALL_VERSIONS
    supersede_stale_waiting(recipient=request.user)
    selectors.forget_unread_count(request.user)
    messages = selectors.inbox_messages(user=request.user, with_superseded=with_superseded)
    paginator = Paginator(messages, MESSAGES_PER_PAGE)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": paginator.get_page(request.GET.get("page")),
            "with_superseded": with_superseded,
            "superseded_count": selectors.superseded_count(user=request.user),
        },
    )


@login_required
def message_detail(request, public_id):
    supersede_stale_waiting(recipient=request.user)
    try:
        message = selectors.inbox_message(user=request.user, public_id=public_id)
    except OutboxMessage.DoesNotExist:
        raise Http404 from None
    services.mark_read(message=message)
    selectors.forget_unread_count(request.user)
    return render(request, "notifications/message_detail.html", {"message": message})


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    messages.success(request, _("All messages are marked as read."))
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    audiences = audiences_of(request.user)
    form = EmailChoicesForm(
        request.POST if request.method == "POST" else None,
        choices=email_choices(user=request.user, audiences=audiences),
    )
    if request.method == "POST" and form.is_valid():
        set_email_choices(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "always_sent": transactional_kinds(audiences=audiences)},
    )
