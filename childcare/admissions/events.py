from childcare.models import Application, ApplicationEvent, Wish


def record_event(
    *,
    application: Application,
    kind: str,
    by=None,
    from_status: str = "",
    to_status: str = "",
    wish: Wish | None = None,
    note: str = "",
    visible_to_parents: bool = True,
) -> ApplicationEvent:
    """Append one entry to the application's timeline (call inside the changing transaction)."""
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=by if by is not None and by.is_authenticated else None,
        from_status=from_status,
        to_status=to_status,
        wish=wish,
        note=note,
        visible_to_parents=visible_to_parents,
    )
