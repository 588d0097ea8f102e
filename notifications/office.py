"""The municipal office's page of e-mails that could not be delivered, with one action: send again.

It lives behind the staff door (/verwaltung/, second factor) and shows what the office needs to
help a family: which address was tried, what the mail server answered, and the account's
address now, so a message is resent once the address is corrected.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import services
from notifications.kinds import KINDS
from notifications.models import OutboxMessage
from notifications.pause import current_pause

FAILED_PER_PAGE = 100


def office_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "is_municipal_office", False):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@office_required
def failed_deliveries(request):
    rows = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED, recipient__isnull=False)
        .select_related("recipient")
        .only(
            "public_id",
            "kind",
            "subject",
            "to_email",
            "last_error",
            "created_at",
            "attempts",
            "recipient__email",
        )
        .order_by("-created_at")[:FAILED_PER_PAGE]
    )
    for row in rows:
        kind = KINDS.get(row.kind)
        row.kind_label = kind.label if kind else row.kind
        row.address_changed = row.recipient.email != row.to_email
    return render(request, "notifications/office/failed.html", {"rows": rows, "pause": current_pause()})


@office_required
@require_POST
def resend(request, public_id):
    message = get_object_or_404(OutboxMessage, public_id=public_id, recipient__isnull=False)
    if services.retry_failed_messages(message_ids=[message.pk]):
        messages.success(request, _("The message is queued again and goes to the account's current address."))
    else:
        messages.info(request, _("This message is no longer marked as failed."))
    return redirect("notifications_office:failed")
