"""The one writer of timeline entries; every transition calls it in its own transaction."""

from childcare.actors import Actor, require_actor
from childcare.models import ActorKind, Application, ApplicationEvent, EventKind, Wish


def record_event(
    *,
    application: Application,
    kind: EventKind,
    by: Actor,
    actor_kind: ActorKind,
    from_status: str = "",
    to_status: str = "",
    wish: Wish | None = None,
    facility=None,
    note: str = "",
    visible_to_parents: bool = True,
) -> ApplicationEvent:
    """Append one entry to the application's timeline (call inside the changing transaction).

    ``kind`` and ``actor_kind`` come from closed lists, so the timeline can always say in
    plain words what happened and who did it.
    """
    event = _event(
        application=application,
        kind=kind,
        by=by,
        actor_kind=actor_kind,
        from_status=from_status,
        to_status=to_status,
        wish=wish,
        facility=facility,
        note=note,
        visible_to_parents=visible_to_parents,
    )
    event.save()
    return event


def record_events(*, entries: list[dict]) -> list[ApplicationEvent]:
    """Many entries in one INSERT (a bulk transition); each dict takes ``record_event``'s arguments."""
    return ApplicationEvent.objects.bulk_create([_event(**entry) for entry in entries])


def _event(*, application, kind, by, actor_kind, visible_to_parents=True, **fields) -> ApplicationEvent:
    require_actor(by)
    if not isinstance(kind, EventKind):
        raise TypeError(f"kind= must be an EventKind, not {kind!r}")
    if not isinstance(actor_kind, ActorKind):
        raise TypeError(f"actor_kind= must be an ActorKind, not {actor_kind!r}")
    return ApplicationEvent(
        application=application,
        kind=kind,
        actor=by if by.is_authenticated else None,
        actor_kind=actor_kind,
        visible_to_parents=visible_to_parents,
        **fields,
    )
