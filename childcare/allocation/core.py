"""The placement core: applicant-proposing deferred acceptance, free of Django and the ORM.

Applicants (children's applications) propose to programs (say, a facility's group for an age band)
in their order of preference. Each program tentatively holds its best applicants, by its strict
priority order, up to its capacity and rejects the rest; a rejected applicant proposes to their next
wish. When nobody is left to propose, the held applicants are placed. The result is the
applicant-optimal stable matching (Gale and Shapley 1962; Abdulkadiroğlu and Sönmez 2003): no
applicant has justified envy, and every applicant is placed at least as well as in any other stable
matching. Because that matching is unique, the result does not depend on the order of the inputs.

Applicants and programs may be any hashable values except that ``None`` means "no place".
"""

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from heapq import heappush, heapreplace
from typing import TypeVar

Applicant = TypeVar("Applicant", bound=Hashable)
Program = TypeVar("Program", bound=Hashable)


def deferred_acceptance(
    preferences: Mapping[Applicant, Sequence[Program]],
    priorities: Mapping[Program, Sequence[Applicant]],
    capacities: Mapping[Program, int],
) -> dict[Applicant, Program | None]:
    """Place each applicant by applicant-proposing deferred acceptance; unplaced ones get ``None``.

    ``preferences`` lists each applicant's programs, most wanted first; a program listed again later
    in the same list changes nothing. ``priorities`` orders each program's acceptable applicants,
    highest first; a program never admits an applicant missing from its order, and an order that
    lists an applicant twice is a ``ValueError`` (priorities must be strict). A program missing from
    ``priorities`` or ``capacities`` has no seats. A negative capacity is a ``ValueError``.
    """
    _check_capacities(capacities)
    # Per program, built on its first proposal: (rank by applicant, heap of the negated ranks it
    # holds so the worst held applicant is on top, capacity, priority order to map a rank back).
    programs: dict[Program, tuple[dict[Applicant, int], list[int], int, Sequence[Applicant]]] = {}
    next_wish = dict.fromkeys(preferences, 0)
    free = list(preferences)
    while free:
        applicant = free.pop()
        wishes = preferences[applicant]
        position = next_wish[applicant]
        while position < len(wishes):
            program = wishes[position]
            position += 1
            state = programs.get(program)
            if state is None:
                order = priorities.get(program, ())
                state = programs[program] = (
                    _rank_table(program, order),
                    [],
                    capacities.get(program, 0),
                    order,
                )
            rank_of, held, capacity, order = state
            rank = rank_of.get(applicant)
            # A repeated wish needs no special case: the program rejected this applicant before, and
            # a program's seats only ever go to higher-ranked applicants, so it rejects them again.
            if rank is None:
                continue
            if len(held) < capacity:
                heappush(held, -rank)
            elif held and -held[0] > rank:
                free.append(order[-heapreplace(held, -rank)])
            else:
                continue
            next_wish[applicant] = position
            break

    matching: dict[Applicant, Program | None] = dict.fromkeys(preferences)
    for program, (_, held, _, order) in programs.items():
        for negated_rank in held:
            matching[order[-negated_rank]] = program
    return matching


def blocking_pairs(
    matching: Mapping[Applicant, Program | None],
    preferences: Mapping[Applicant, Sequence[Program]],
    priorities: Mapping[Program, Sequence[Applicant]],
    capacities: Mapping[Program, int],
) -> list[tuple[Applicant, Program]]:
    """Return the pairs (applicant, program) with justified envy; a stable matching has none.

    An applicant envies a program they list before their placement (any listed program, if they
    have none or one they did not list). The envy is justified when the program finds them
    acceptable and either has a free seat or holds someone of lower priority; a holder the program
    does not find acceptable counts as lower than everyone it does. Seat use comes from the whole
    ``matching`` but only the applicants in ``preferences`` are checked, so a sample may be passed.
    """
    ranks = _rank_lookup(priorities)
    seats_taken: Counter[Program] = Counter()
    lowest_held: dict[Program, int] = {}
    for applicant, program in matching.items():
        if program is None:
            continue
        seats_taken[program] += 1
        rank = ranks(program).get(applicant, len(priorities.get(program, ())))
        lowest_held[program] = max(rank, lowest_held.get(program, rank))

    pairs = []
    for applicant, wishes in preferences.items():
        placement = matching.get(applicant)
        for program in dict.fromkeys(wishes):
            if program == placement:
                break
            rank = ranks(program).get(applicant)
            if rank is None:
                continue
            if seats_taken[program] < capacities.get(program, 0) or rank < lowest_held.get(program, -1):
                pairs.append((applicant, program))
    return pairs


def is_individually_rational(
    matching: Mapping[Applicant, Program | None],
    preferences: Mapping[Applicant, Sequence[Program]],
    priorities: Mapping[Program, Sequence[Applicant]],
) -> bool:
    """Tell whether every placed applicant listed their program and that program finds them acceptable."""
    ranks = _rank_lookup(priorities)
    return all(
        program is None or (program in preferences.get(applicant, ()) and applicant in ranks(program))
        for applicant, program in matching.items()
    )


def _check_capacities(capacities: Mapping[Program, int]) -> None:
    for program, capacity in capacities.items():
        if capacity < 0:
            raise ValueError(f"Capacity of program {program!r} is {capacity}; it must be zero or more.")


def _rank_table(program: Program, order: Sequence[Applicant]) -> dict[Applicant, int]:
    table = dict(zip(order, range(len(order)), strict=True))
    if len(table) != len(order):
        raise ValueError(f"Priority order of program {program!r} lists an applicant more than once.")
    return table


def _rank_lookup(
    priorities: Mapping[Program, Sequence[Applicant]],
) -> Callable[[Program], dict[Applicant, int]]:
    """Return a function giving a program's rank table, built the first time it is asked for."""
    tables: dict[Program, dict[Applicant, int]] = {}

    def ranks(program: Program) -> dict[Applicant, int]:
        table = tables.get(program)
        if table is None:
            table = tables[program] = _rank_table(program, priorities.get(program, ()))
        return table

    return ranks
