"""The audit log: every staff or office read of applicant data, every change, every sign-in.

Pages call ``record(request, ...)``; the entries wait on the request and ``AuditMiddleware``
writes them in one INSERT when the response is ready, so a page never costs a query per entry
(a list page logs one entry naming the list and its ids). Outside a request (signals from the
admin or sign-in code without one, tasks) an entry is written at once.

Retention: ``purge_expired`` removes entries older than ``settings.AUDIT_RETENTION_MONTHS``;
the nightly data-retention task calls it. On PostgreSQL the table refuses UPDATE and DELETE
(trigger from migration portal 0005) unless the purge's transaction sets
``kitaportal.audit_purge``.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry

Action = AuditEntry.Action
_PENDING = "_audit_entries"
WRITING_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def client_address(request) -> str | None:
    try:
        from allauth.account.adapter import get_adapter

        address = get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - a missing or odd header must never break the page
        address = request.META.get("REMOTE_ADDR")
    return address or None


def _entry(*, user, action, object_type="", object_ref="", detail="", address=None) -> AuditEntry:
    signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
    return AuditEntry(
        at=timezone.now(),
        actor_user_id=user.pk if signed_in else None,
        actor_label=(user.email if signed_in else "")[:254],
        action=action,
        object_type=object_type[:60],
        object_ref=str(object_ref)[:200],
        detail=detail[:2000],
        client_address=address,
    )


def object_type_of(obj) -> str:
    return obj._meta.model_name


def object_ref_of(obj) -> str:
    """The reference people use: an application's number, else the public id, else the key."""
    for attribute in ("reference", "public_id", "slug"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return str(obj.pk)


def record(request, *, action: str, obj=None, object_type: str = "", object_ref: str = "", detail: str = ""):
    """Remember one entry for this request; ``AuditMiddleware`` writes them all at the end."""
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_ref = object_ref or object_ref_of(obj)
    entry = _entry(
        user=getattr(request, "user", None),
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        detail=detail,
        address=client_address(request),
    )
    pending = getattr(request, _PENDING, None)
    if pending is None:  # no middleware around this request (e.g. a signal in a test): write now
        entry.save()
    else:
        pending.append(entry)


def record_list(request, *, object_type: str, refs: Iterable, detail: str = "", action: str = Action.LIST):
    """One entry for a list or an export: which list, and the references it showed."""
    refs = [str(ref) for ref in refs]
    summary = " ".join(refs)
    record(
        request,
        action=action,
        object_type=object_type,
        object_ref=f"{len(refs)}",
        detail=(detail + "\n" + summary).strip(),
    )


def record_now(*, user, action: str, request=None, object_type="", object_ref="", detail=""):
    """Write at once (sign-in signals, admin changes): these happen where no list is collected."""
    entry = _entry(
        user=user,
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        detail=detail,
        address=client_address(request) if request is not None else None,
    )
    pending = getattr(request, _PENDING, None) if request is not None else None
    if pending is not None:
        pending.append(entry)
    else:
        entry.save()


_COLUMNS = (
    "at",
    "actor_user_id",
    "actor_label",
    "action",
    "object_type",
    "object_ref",
    "detail",
    "client_address",
)


def _insert(entries: list[AuditEntry]) -> None:
    """The entries in one written-out INSERT: through the ORM's ``bulk_create`` the statement
    cost twice as much to build as to run, on every staff list page."""
    meta, quote = AuditEntry._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in _COLUMNS]
    row = f"({', '.join(['%s'] * len(fields))})"
    params = [
        field.get_db_prep_save(getattr(entry, field.attname), connection)
        for entry in entries
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"  # noqa: S608
            f" VALUES {', '.join([row] * len(entries))}",
            params,
        )


def flush(request) -> None:
    pending = getattr(request, _PENDING, None)
    if pending:
        _insert(pending)
        pending.clear()


class AuditMiddleware:
    """Collects the request's entries and writes them in one INSERT after the view.

    It also logs every successful write request (POST and friends answered below 400) by a
    signed-in user as a change, naming the URL and its ids: so changes on pages that do not call
    ``record`` themselves are in the log too. A redirect to a sign-in page is a refusal (the admin
    for someone who is not admin staff, a session that must sign in again), not a change.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, _PENDING, [])
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method in WRITING_METHODS
            and response.status_code < 400
            and not _sends_to_sign_in(response)
            and user is not None
            and user.is_authenticated
            and not getattr(request, "_audit_change_recorded", False)
        ):
            match = getattr(request, "resolver_match", None)
            name = match.view_name if match else ""
            refs = " ".join(str(value) for value in (match.kwargs.values() if match else ()))
            record(request, action=Action.CHANGE, object_type=name[:60], object_ref=refs, detail=request.path)
        flush(request)
        return response


def _sends_to_sign_in(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = urlsplit(response.get("Location", "")).path
    return location in {resolve_url(settings.LOGIN_URL), reverse("admin:login")}


def retention_cutoff(now=None) -> datetime.datetime:
    now = now or timezone.now()
    return now - datetime.timedelta(days=round(30.44 * settings.AUDIT_RETENTION_MONTHS))


def purge_expired(now=None) -> int:
    """Delete entries older than the retention period (the nightly retention task)."""
    cutoff = retention_cutoff(now)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL kitaportal.audit_purge = 'on'")
        # Raw SQL: the model's query set refuses deletes on purpose.
        cursor.execute("DELETE FROM portal_auditentry WHERE at < %s", [cutoff])
        return cursor.rowcount


# --- signal receivers (connected in portal.apps) ---


def on_api_key_used(sender, token, user, request, **kwargs):
    """Every use of an API key, named by its public id (never the secret), with the call made."""
    record_now(
        user=user,
        action=Action.API_KEY_USED,
        request=request,
        object_type="api_token",
        object_ref=str(token.public_id),
        detail=f"{request.method} {request.path}",
    )


def on_signed_in(sender, request, user, **kwargs):
    record_now(user=user, action=Action.SIGN_IN, request=request, object_type="user", object_ref=user.pk)


def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_now(user=user, action=Action.SIGN_OUT, request=request, object_type="user", object_ref=user.pk)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # The address that was tried, so repeated attempts on one account show up; never the password.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:200]
    record_now(user=None, action=Action.SIGN_IN_FAILED, request=request, object_type="user", detail=tried)


def on_admin_change(sender, instance, created, **kwargs):
    """Every admin addition, change and deletion leaves a LogEntry; mirror it into the audit log."""
    if not created:
        return
    user = instance.user
    record_now(
        user=user,
        action=Action.ADMIN_CHANGE,
        object_type=instance.content_type.model if instance.content_type_id else "",
        object_ref=instance.object_id or "",
        detail=" ".join(
            (f"{instance.get_action_flag_display()}:", instance.object_repr, instance.get_change_message())
        ),
    )
