"""The wish basket: facilities a visitor marked while browsing, kept in the session.

The application wizard offers them as the wishes, in the order they were added.
"""

BASKET_KEY = "wish_basket"


def basket(session) -> list[str]:
    return list(session.get(BASKET_KEY, []))


def add_to_basket(session, slug: str, *, limit: int) -> bool:
    """Add a facility slug; False if it is already there or the basket is full."""
    slugs = basket(session)
    if slug in slugs or len(slugs) >= limit:
        return False
    session[BASKET_KEY] = [*slugs, slug]
    return True


def remove_from_basket(session, slug: str) -> None:
    session[BASKET_KEY] = [s for s in basket(session) if s != slug]


def clear_basket(session) -> None:
    session.pop(BASKET_KEY, None)
