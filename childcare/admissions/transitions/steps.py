"""What every state machine shares: the allowed-steps check and who acted, in timeline words."""

from collections.abc import Mapping

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare.actors import SYSTEM, Actor, require_actor
from childcare.errors import DomainError
from childcare.models import ActorKind

Table = Mapping[str, set[str]]


def require_transaction() -> None:
    """A step is one part of the caller's change: it must commit or roll back with it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Transitions run inside the caller's transaction.atomic().")


def check_step(allowed: Table, choices: type[models.TextChoices], current: str, target: str) -> None:
    if target not in allowed.get(current, set()):
        raise DomainError(
            _("This is not possible any more: the status cannot change from “%(from)s” to “%(to)s”.")
            % {"from": choices(current).label, "to": choices(target).label}
        )


def move(obj: models.Model, allowed: Table, choices: type[models.TextChoices], target: str, **fields) -> str:
    """Check the step, set the new status (and ``fields``) and save; returns the old status."""
    require_transaction()
    old = obj.status
    check_step(allowed, choices, old, target)
    obj.status = target
    for name, value in fields.items():
        setattr(obj, name, value)
    update_fields = ["status", *fields]
    if any(field.name == "updated_at" for field in obj._meta.fields):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    return old


def move_all(
    queryset: models.QuerySet, allowed: Table, choices: type[models.TextChoices], target: str
) -> int:
    """Move every row of ``queryset`` to ``target`` in one UPDATE, after checking each row's step."""
    require_transaction()
    for current in set(queryset.values_list("status", flat=True)):
        check_step(allowed, choices, current, target)
    fields = {"status": target}
    if any(field.name == "updated_at" for field in queryset.model._meta.fields):
        fields["updated_at"] = timezone.now()
    return queryset.update(**fields)


def staff_actor_kind(by: Actor) -> ActorKind:
    """Staff act for their facility; the municipal office acts as itself; SYSTEM is 'automatically'."""
    require_actor(by)
    if by is SYSTEM:
        return ActorKind.SYSTEM
    return ActorKind.OFFICE if by.is_municipal_office else ActorKind.FACILITY
