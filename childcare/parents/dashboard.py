"""'My applications': everything a family's page shows, read as plain rows in a few statements.

The page families open most. Through the ORM it built model instances with every field, a query
per related set and the waitlist counts from Python expressions, and that cost far more than the
database did. So it reads plain rows: the applications (the first statement finds them through
the user's guardianships; every later one reads only those), their wishes with the timelines, the
wishes' places on the waitlists, the open offers and placements. No other family's data can reach
the page; other families only count towards the places. childcare/parents/application_cards.py
writes the page from what this module reads.
"""

import datetime
import functools
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext, ngettext

from childcare.admissions import explanations, reconfirmation, waitlist
from childcare.models import (
    LISTED_APPLICATION_STATUSES,
    LISTED_WISH_STATUSES,
    WAITING_APPLICATION_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Offer,
    OfferStatus,
    Placement,
    PriorityPolicy,
    Wish,
    WishStatus,
)
from portal.date_patterns import strftime_pattern
from portal.models import PortalSettings

APPLICATION_LABELS = dict(ApplicationStatus.choices)
WISH_LABELS = dict(WishStatus.choices)
# A draft is continued; until a place is offered, the family may change the application; until
# the child is placed, withdraw it. A wish is withdrawn alone while no offer is open.
CHANGEABLE = {ApplicationStatus.DRAFT, *WAITING_APPLICATION_STATUSES}
WITHDRAWABLE = {*CHANGEABLE, ApplicationStatus.OFFERED}
WISHES_FIXED = {ApplicationStatus.DRAFT, ApplicationStatus.OFFERED}
ENDED = {ApplicationStatus.CLOSED, ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED}


@dataclass(slots=True)
class WishLine:
    rank: int
    facility: str
    status: str
    status_label: str
    points: int
    points_why: str
    explained: list[str]
    rejection_reason: str
    place: str  # "Place 3 of 12 on the waitlist", empty when not listed or not shown
    withdraw_url: str


@dataclass(slots=True)
class OpenOffer:
    facility: str
    start_date: datetime.date
    expires_at: datetime.datetime
    accept_url: str
    decline_url: str
    letter_url: str


@dataclass(slots=True)
class TimelineEntry:
    at: str  # ISO 8601, local time
    at_text: str  # as the language writes a short date and time
    label: str
    facility: str
    actor: str


@dataclass(slots=True)
class ApplicationCard:
    """One application as its card shows it, with what the family can do next."""

    public_id: uuid.UUID
    reference: str
    child_first_name: str
    status: str
    status_label: str
    confirm_by: datetime.datetime | None
    confirm_url: str
    change_url: str
    withdraw_url: str
    receipt_url: str
    offer: OpenOffer | None = None
    placement_url: str = ""
    sentence: str = ""
    wishes: list[WishLine] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED


# The page's links are reversed once per process with stand-ins that a card's id and a wish's
# rank replace: a dozen reversals per card would cost more than the rest of the card.
_ID, _RANK = uuid.UUID(int=0), 987654321


def _link(name: str, public_id: uuid.UUID, rank: int | None = None) -> str:
    """The URL named ``name`` for an application (and one of its wishes' ranks)."""
    pattern = _pattern(name, rank is not None, get_urlconf(settings.ROOT_URLCONF), get_script_prefix())
    if rank is not None:  # first, as an id may happen to hold the rank's stand-in
        pattern = pattern.replace(str(_RANK), str(rank))
    return pattern.replace(str(_ID), str(public_id))


@functools.cache
def _pattern(name: str, with_rank: bool, urlconf: str, script_prefix: str) -> str:
    """Kept per URLconf and script prefix, the two things besides the name a reversal reads."""
    return reverse(name, args=[_ID, _RANK] if with_rank else [_ID], urlconf=urlconf)


class _Translated(dict):
    """Labels (lazy translations) in the active language, each translated on first use: once
    per page rather than once per wish or timeline entry."""

    def __init__(self, labels: dict):
        super().__init__()
        self._labels = labels

    def __missing__(self, key: str) -> str:
        self[key] = label = str(self._labels.get(key, key))
        return label


# Where a row needs one value of another table, the statements read it with a subquery instead of
# a join: PostgreSQL plans a subquery on its own, which costs less than weighing join orders, and
# for statements this small the planning took longer than the reading.

# The user's children's applications, with whether the office shows waitlist places (on every
# row, to spare a statement; the policy's row may not exist yet).
_APPLICATIONS = """
SELECT a.id, a.public_id, a.reference, (SELECT c.first_name FROM childcare_child c WHERE c.id = a.child_id),
       a.status, a.submitted_at, a.last_confirmed_at, a.lottery_number,
       (SELECT show_positions_to_parents FROM childcare_prioritypolicy WHERE id = 1)
FROM childcare_guardianship g
JOIN childcare_application a ON a.child_id = g.child_id
WHERE g.user_id = %s
ORDER BY a.created_at DESC, a.id DESC
"""

# The statements below read only the applications found above: ``{ids}`` are their ids.

# Their wishes by rank and their timelines' entries in order, in one statement (a round trip
# less). A wish's row: id, application, rank, facility, status, points, points explanation,
# rejection reason, facility id, age band. An entry's row has no rank: its wish, application,
# kind (in the status's column), time, id and actor kind (in the last three columns).
_WISHES_AND_ENTRIES = """
SELECT w.id, w.application_id, w.rank, (SELECT f.name FROM childcare_facility f WHERE f.id = w.facility_id),
       w.status, w.points, w.points_explanation, w.rejection_reason, w.facility_id, w.age_band,
       NULL, NULL, NULL
FROM childcare_wish w
WHERE w.application_id IN ({ids})
UNION ALL
SELECT e.wish_id, e.application_id, NULL, NULL, e.kind, NULL, NULL, NULL, NULL, NULL,
       e.created_at, e.id, e.actor_kind
FROM childcare_applicationevent e
WHERE e.application_id IN ({ids}) AND e.visible_to_parents
ORDER BY 2, 3, 11, 12
"""
_WISHES_AND_ENTRIES_FIELDS = "- - - - - - wish.points_explanation - - - event.created_at - -"

# Open offers and the placements accepted offers made, newest first. An offer's wish is one of its
# application's, whose facility the wishes' statement named.
_OFFERS = f"""
SELECT o.application_id, o.status, o.public_id, o.wish_id, o.start_date, o.expires_at, p.public_id
FROM childcare_offer o
LEFT JOIN childcare_placement p ON p.source_offer_id = o.id
WHERE o.application_id IN ({{ids}}) AND (o.status = '{OfferStatus.OPEN}' OR p.id IS NOT NULL)
ORDER BY o.created_at DESC, o.id DESC
"""  # noqa: S608 (no value from outside)

# An open offer makes its application "offered", an accepted one "placed" (the transitions):
# only then are there offers to read.
WITH_OFFERS = {ApplicationStatus.OFFERED, ApplicationStatus.PLACED}


_MODELS = {
    "application": Application,
    "event": ApplicationEvent,
    "offer": Offer,
    "placement": Placement,
    "policy": PriorityPolicy,
    "wish": Wish,
}


def _rows(sql: str, params: list, fields: str) -> list[list]:
    """The rows, each column converted as the ORM converts values of the field named at its place
    in ``fields`` ("model.field", "-" for none): UUIDs, aware datetimes and JSON documents come out
    alike on SQLite and PostgreSQL."""
    converters = []
    for index, name in enumerate(fields.split()):
        if name != "-":
            model, field_name = name.split(".")
            column = _MODELS[model]._meta.get_field(field_name).cached_col
            functions = connection.ops.get_db_converters(column) + column.field.get_db_converters(connection)
            converters.append((index, column, functions))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(row) for row in cursor.fetchall()]
    for row in rows:
        for index, column, functions in converters:
            if row[index] is not None:
                for function in functions:
                    row[index] = function(row[index], column, connection)
    return rows


def dashboard_of(*, user, portal: PortalSettings, now: datetime.datetime) -> list[ApplicationCard]:
    """The user's children's applications as the page shows them: open offers first (the nearest
    deadline on top), the others newest first; each with its wishes (their places on the waitlists
    when the office shows them), the links for what the family can do next, and the timeline.

    At most four statements, however many applications, wishes, events and families on the lists.
    """
    applications = _rows(
        _APPLICATIONS,
        [user.pk],
        "- application.public_id - - - application.submitted_at application.last_confirmed_at - -",
    )
    if not applications:
        return []
    application_labels, wish_labels = _Translated(APPLICATION_LABELS), _Translated(WISH_LABELS)
    cards = {row[0]: _card(row, labels=application_labels, portal=portal, now=now) for row in applications}
    ids, in_ids = list(cards), ", ".join(["%s"] * len(cards))
    rows = _rows(_WISHES_AND_ENTRIES.format(ids=in_ids), ids + ids, _WISHES_AND_ENTRIES_FIELDS)
    wishes = [row for row in rows if row[2] is not None]
    places = (
        waitlist.counted_places(_listed_entries(applications, wishes)) if _places_shown(applications) else {}
    )
    explained = {}  # an application's wishes mostly share their criteria: each explained once
    place_text = gettext("Place %(position)s of %(total)s on the waitlist")
    for row in wishes:
        card, explanation = cards[row[1]], row[6]
        key = tuple(explanation.items())
        if key not in explained:
            explained[key] = explanations.explain_points(explanation)
        place = places.get(row[0])
        card.wishes.append(
            _wish_line(
                row,
                card=card,
                explained=explained[key],
                place=place_text % {"position": place[0], "total": place[1]} if place else "",
                labels=wish_labels,
            )
        )
    facilities = {row[0]: row[3] for row in wishes}
    if any(card.status in WITH_OFFERS for card in cards.values()):
        _add_offers(cards, _rows(_OFFERS.format(ids=in_ids), ids, _OFFER_FIELDS), facilities=facilities)
    entries = [row for row in rows if row[2] is None]
    _add_timelines(cards, entries, facilities=facilities)
    for card in cards.values():
        card.sentence = explanations.status_sentence(
            card.status,
            all_wishes_rejected=bool(card.wishes)
            and all(wish.status == WishStatus.REJECTED for wish in card.wishes),
        )
    return sorted(cards.values(), key=_open_offers_first)


def _wish_line(
    row: list, *, card: ApplicationCard, explained: list[str], place: str, labels: _Translated
) -> WishLine:
    _, _, rank, facility, status, points, _, reason, *_ = row
    return WishLine(
        rank=rank,
        facility=facility,
        status=status,
        status_label=labels[status],
        points=points,
        points_why=ngettext("%(points)s point – why?", "%(points)s points – why?", points)
        % {"points": points},
        explained=explained,
        rejection_reason=reason if status == WishStatus.REJECTED else "",
        place=place,
        withdraw_url=_link("parents:wish_withdraw", card.public_id, rank)
        if status == WishStatus.ACTIVE and card.status not in WISHES_FIXED
        else "",
    )


def _add_timelines(
    cards: dict[int, ApplicationCard], entries: list[list], *, facilities: dict[int, str]
) -> None:
    """The entries (rows of ``_WISHES_AND_ENTRIES``) in order; ``facilities`` names each wish's
    facility (an entry's wish is one of its application's). Times are formatted here, with
    strftime where the language's format allows: the template's date filter costs several times
    as much per entry. Labels and actors are put into words once per page."""
    short_datetime = formats.get_format("SHORT_DATETIME_FORMAT")
    pattern = strftime_pattern(short_datetime)
    labels, actors = _Translated(explanations.EVENT_LABELS), {}
    for wish_id, application_id, _, _, kind, _, _, _, _, _, at, _, actor_kind in entries:
        facility, local = facilities.get(wish_id), timezone.localtime(at)
        actor = actors.get((actor_kind, facility))
        if actor is None:
            actor = actors[actor_kind, facility] = explanations.actor_name(actor_kind, facility=facility)
        cards[application_id].timeline.append(
            TimelineEntry(
                at=local.isoformat(),
                at_text=local.strftime(pattern) if pattern else dateformat.format(local, short_datetime),
                label=labels[kind],
                facility=facility or "",
                actor=actor,
            )
        )


def _places_shown(applications: list[list]) -> bool:
    shown = applications[0][8]
    if shown is None:  # no policy saved yet: its default
        return PriorityPolicy._meta.get_field("show_positions_to_parents").default
    return bool(shown)


def _listed_entries(applications: list[list], wishes: list[list]) -> list[waitlist.Entry]:
    """The wishes on a waitlist, with their keys in the waitlist's order."""
    listed = {
        pk: (submitted_at, lottery_number)
        for pk, _, _, _, status, submitted_at, _, lottery_number, _ in applications
        if status in LISTED_APPLICATION_STATUSES
    }
    return [
        waitlist.Entry(wish_id, facility_id, age_band, points, *listed[application_id])
        for wish_id, application_id, _, _, status, points, _, _, facility_id, age_band, *_ in wishes
        if status in LISTED_WISH_STATUSES and application_id in listed
    ]


def _open_offers_first(card: ApplicationCard) -> tuple:
    return (0, card.offer.expires_at) if card.offer else (1,)


def _card(
    row: list, *, labels: _Translated, portal: PortalSettings, now: datetime.datetime
) -> ApplicationCard:
    _, public_id, reference, first_name, status, submitted_at, last_confirmed_at, *_ = row
    confirm_by = reconfirmation.confirmation_deadline(
        status=status, last_confirmed_at=last_confirmed_at, portal=portal, now=now
    )
    return ApplicationCard(
        public_id=public_id,
        reference=reference,
        child_first_name=first_name,
        status=status,
        status_label=labels[status],
        confirm_by=confirm_by,
        confirm_url=_link("parents:interest_confirm", public_id) if confirm_by else "",
        change_url=_link("parents:application_step_start", public_id) if status in CHANGEABLE else "",
        withdraw_url=_link("parents:application_withdraw", public_id) if status in WITHDRAWABLE else "",
        receipt_url=_link("letters:application_receipt_pdf", public_id)
        if submitted_at and status != ApplicationStatus.DRAFT
        else "",
    )


_OFFER_FIELDS = "- - offer.public_id - offer.start_date offer.expires_at placement.public_id"


def _add_offers(cards: dict[int, ApplicationCard], offers: list[list], *, facilities: dict[int, str]) -> None:
    """Each card's open offer and the placement its accepted offer made (the newest of each);
    ``facilities`` names each wish's facility."""
    for application_id, status, public_id, wish_id, start_date, expires_at, placement_id in offers:
        card = cards[application_id]
        if status == OfferStatus.OPEN and card.offer is None:
            respond = _link("parents:offer_respond", public_id)
            card.offer = OpenOffer(
                facility=facilities[wish_id],
                start_date=start_date,
                expires_at=expires_at,
                accept_url=f"{respond}?answer=accept",
                decline_url=f"{respond}?answer=decline",
                letter_url=_link("letters:offer_letter_pdf", public_id),
            )
        if placement_id and not card.placement_url:
            card.placement_url = _link("letters:placement_confirmation_pdf", placement_id)
