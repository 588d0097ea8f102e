import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from childcare.allocation.core import blocking_pairs, deferred_acceptance, is_individually_rational

# A program that applicants may list but that is missing from priorities and capacities.
UNKNOWN_PROGRAM = "closed"


@st.composite
def instances(draw, *, balanced=False):
    """Small random instances, sized so that brute force meets at most 4**6 candidate matchings.

    Wish lists order subsets of the programs (now and then naming one that does not exist) and
    priorities order subsets of the applicants. A balanced instance has as many seats as applicants,
    full wish lists and everyone acceptable everywhere: that is where several stable matchings are
    common, so applicant optimality is actually put to the test.
    """
    applicant_count = draw(st.integers(2 if balanced else 1, 6))
    applicants = [f"child-{number}" for number in range(applicant_count)]
    program_count = draw(st.integers(2 if balanced else 1, 4 if applicant_count <= 5 else 3))
    programs = [(facility, "u3") for facility in range(program_count)]
    if balanced:
        preferences = {applicant: draw(st.permutations(programs)) for applicant in applicants}
        priorities = {program: draw(st.permutations(applicants)) for program in programs}
        seat_cuts = st.lists(
            st.integers(0, applicant_count), min_size=program_count - 1, max_size=program_count - 1
        )
        cuts = sorted(draw(seat_cuts))
        bounds = zip(programs, [0, *cuts], [*cuts, applicant_count], strict=True)
        capacities = {program: high - low for program, low, high in bounds}
    else:
        listable = st.sampled_from([*programs, UNKNOWN_PROGRAM])
        preferences = {applicant: draw(st.lists(listable, unique=True)) for applicant in applicants}
        priorities = {
            program: draw(st.lists(st.sampled_from(applicants), unique=True)) for program in programs
        }
        capacities = {program: draw(st.integers(0, 3)) for program in programs}
    return preferences, priorities, capacities


def envious_pairs(matching, preferences, priorities, capacities):
    """Justified envy spelled out naively, to check ``blocking_pairs`` and to filter brute force."""
    pairs = set()
    for applicant, wishes in preferences.items():
        placement = matching.get(applicant)
        better = wishes[: wishes.index(placement)] if placement in wishes else wishes
        for program in better:
            order = priorities.get(program, [])
            if applicant not in order:
                continue
            holders = [other for other, placed in matching.items() if placed == program]
            has_free_seat = len(holders) < capacities.get(program, 0)
            holds_someone_lower = any(
                holder not in order or order.index(holder) > order.index(applicant) for holder in holders
            )
            if has_free_seat or holds_someone_lower:
                pairs.add((applicant, program))
    return pairs


def candidate_placements(applicant, preferences, priorities):
    """None and every program the applicant lists and that finds them acceptable."""
    listed = dict.fromkeys(preferences[applicant])
    return [None, *(program for program in listed if applicant in priorities.get(program, []))]


def stable_matchings(preferences, priorities, capacities):
    """Every individually rational, capacity-respecting matching without justified envy."""
    applicants = list(preferences)
    options = [candidate_placements(applicant, preferences, priorities) for applicant in applicants]
    for placements in itertools.product(*options):
        seats = Counter(program for program in placements if program is not None)
        if any(taken > capacities[program] for program, taken in seats.items()):
            continue
        matching = dict(zip(applicants, placements, strict=True))
        if not envious_pairs(matching, preferences, priorities, capacities):
            yield matching


def position(wishes, placement):
    return wishes.index(placement) if placement is not None else len(wishes)


def test_marriage_instance_gets_the_applicant_optimal_of_two_stable_matchings():
    preferences = {"a": ["X", "Y", "Z"], "b": ["Y", "X", "Z"], "c": ["X", "Y", "Z"]}
    priorities = {"X": ["b", "a", "c"], "Y": ["a", "b", "c"], "Z": ["a", "b", "c"]}
    capacities = {"X": 1, "Y": 1, "Z": 1}
    program_optimal = {"a": "Y", "b": "X", "c": "Z"}

    matching = deferred_acceptance(preferences, priorities, capacities)

    assert matching == {"a": "X", "b": "Y", "c": "Z"}
    assert blocking_pairs(program_optimal, preferences, priorities, capacities) == []


def test_many_to_one_instance_matches_the_hand_trace():
    # By hand, proposing in the order listed: sun (2 seats) takes ann and ben, cem displaces ben,
    # ben goes to rainbow, rainbow refuses dia, dia displaces ann at sun, rainbow refuses ann.
    preferences = {
        "ann": ["sun", "rainbow"],
        "ben": ["sun", "rainbow"],
        "cem": ["sun"],
        "dia": ["rainbow", "sun"],
    }
    priorities = {"sun": ["cem", "dia", "ann", "ben"], "rainbow": ["ben", "ann", "dia"]}
    capacities = {"sun": 2, "rainbow": 1}

    matching = deferred_acceptance(preferences, priorities, capacities)

    assert matching == {"ann": None, "ben": "rainbow", "cem": "sun", "dia": "sun"}
    assert blocking_pairs(matching, preferences, priorities, capacities) == []


def test_program_with_zero_capacity_admits_nobody():
    matching = deferred_acceptance({"a": ["X", "Y"]}, {"X": ["a"], "Y": ["a"]}, {"X": 0, "Y": 1})

    assert matching == {"a": "Y"}


def test_applicant_acceptable_nowhere_stays_unplaced():
    matching = deferred_acceptance({"a": ["X"], "b": ["X"]}, {"X": ["b"]}, {"X": 5})

    assert matching == {"a": None, "b": "X"}


def test_applicant_with_no_wishes_stays_unplaced():
    matching = deferred_acceptance({"a": [], "b": ["X"]}, {"X": ["a", "b"]}, {"X": 5})

    assert matching == {"a": None, "b": "X"}


def test_program_missing_from_priorities_or_capacities_is_skipped():
    preferences = {"a": ["no-priorities", "no-capacity", "X"]}
    priorities = {"no-capacity": ["a"], "X": ["a"]}
    capacities = {"no-priorities": 3, "X": 1}

    assert deferred_acceptance(preferences, priorities, capacities) == {"a": "X"}


def test_repeated_wish_counts_only_where_first_listed():
    priorities = {"X": ["b", "a"], "Y": ["a"]}
    capacities = {"X": 1, "Y": 1}

    with_repeats = deferred_acceptance({"a": ["X", "X", "Y", "X"], "b": ["X"]}, priorities, capacities)

    assert with_repeats == {"a": "Y", "b": "X"}


def test_earlier_place_in_a_priority_order_wins_the_last_seat():
    preferences = {"a": ["X"], "b": ["X"]}

    assert deferred_acceptance(preferences, {"X": ["a", "b"]}, {"X": 1}) == {"a": "X", "b": None}
    assert deferred_acceptance(preferences, {"X": ["b", "a"]}, {"X": 1}) == {"a": None, "b": "X"}


def test_priority_order_listing_an_applicant_twice_is_rejected():
    with pytest.raises(ValueError, match=r"Priority order of program 'X' lists an applicant more than once"):
        deferred_acceptance({"a": ["X"]}, {"X": ["a", "b", "a"]}, {"X": 1})


def test_negative_capacity_is_rejected():
    with pytest.raises(ValueError, match=r"Capacity of program 'X' is -1; it must be zero or more"):
        deferred_acceptance({"a": ["X"]}, {"X": ["a"]}, {"X": -1})


def test_keys_may_be_any_hashable_values():
    u3, ue3 = (17, "u3"), (17, "ue3")
    preferences = {42: [u3, ue3], "child-7": [u3], (3, "twin"): [ue3, u3]}
    priorities = {u3: ["child-7", 42, (3, "twin")], ue3: [(3, "twin"), 42]}
    capacities = {u3: 1, ue3: 1}

    matching = deferred_acceptance(preferences, priorities, capacities)

    assert matching == {42: None, "child-7": u3, (3, "twin"): ue3}


def test_applicant_only_in_priorities_is_left_out_of_the_result():
    matching = deferred_acceptance({"a": ["X"]}, {"X": ["ghost", "a"]}, {"X": 1})

    assert matching == {"a": "X"}


def test_is_individually_rational_rejects_unlisted_and_unacceptable_placements():
    preferences = {"a": ["X"], "b": ["X", "Y"]}
    priorities = {"X": ["a"], "Y": ["b"]}

    assert is_individually_rational({"a": "X", "b": "Y"}, preferences, priorities)
    assert is_individually_rational({"a": None, "b": None}, preferences, priorities)
    assert not is_individually_rational({"a": "Y", "b": None}, preferences, priorities)
    assert not is_individually_rational({"a": None, "b": "X"}, preferences, priorities)


def test_blocking_pairs_checks_only_the_given_applicants_against_the_whole_matching():
    priorities = {"X": ["a", "b"]}
    matching = {"a": None, "b": "X"}

    assert blocking_pairs(matching, {"a": ["X"], "b": ["X"]}, priorities, {"X": 1}) == [("a", "X")]
    assert blocking_pairs(matching, {"b": ["X"]}, priorities, {"X": 1}) == []


def test_city_like_instance_is_stable_and_within_capacity():
    rng = random.Random(7)
    programs = range(60)
    preferences = {applicant: rng.sample(programs, 4) for applicant in range(2_000)}
    priorities = {program: [] for program in programs}
    for applicant, wishes in preferences.items():
        for program in wishes:
            priorities[program].append(applicant)
    for order in priorities.values():
        rng.shuffle(order)
    capacities = {program: rng.randint(10, 35) for program in programs}

    matching = deferred_acceptance(preferences, priorities, capacities)

    seats = Counter(program for program in matching.values() if program is not None)
    assert all(taken <= capacities[program] for program, taken in seats.items())
    assert sum(seats.values()) == sum(capacities.values())  # demand exceeds every program's seats
    assert is_individually_rational(matching, preferences, priorities)
    assert blocking_pairs(matching, preferences, priorities, capacities) == []


@settings(max_examples=300, deadline=None)
@given(instances())
def test_result_is_stable_individually_rational_and_within_capacity(instance):
    preferences, priorities, capacities = instance

    matching = deferred_acceptance(preferences, priorities, capacities)

    assert matching.keys() == preferences.keys()
    assert blocking_pairs(matching, preferences, priorities, capacities) == []
    assert is_individually_rational(matching, preferences, priorities)
    for applicant, program in matching.items():
        assert program is None or (program in preferences[applicant] and applicant in priorities[program])
    seats = Counter(program for program in matching.values() if program is not None)
    assert all(taken <= capacities[program] for program, taken in seats.items())


@settings(max_examples=150, deadline=None)
@given(st.one_of(instances(), instances(balanced=True)))
def test_result_is_the_stable_matching_every_applicant_likes_best(instance):
    preferences, priorities, capacities = instance

    matching = deferred_acceptance(preferences, priorities, capacities)

    stable = list(stable_matchings(preferences, priorities, capacities))
    assert matching in stable
    for other in stable:
        for applicant, wishes in preferences.items():
            assert position(wishes, matching[applicant]) <= position(wishes, other[applicant])


@settings(max_examples=200, deadline=None)
@given(instances(), st.data())
def test_blocking_pairs_finds_exactly_the_justified_envy(instance, data):
    preferences, priorities, capacities = instance
    placeable = st.sampled_from([None, *priorities, UNKNOWN_PROGRAM])
    matching = {applicant: data.draw(placeable) for applicant in preferences}

    pairs = blocking_pairs(matching, preferences, priorities, capacities)

    assert len(pairs) == len(set(pairs))
    assert set(pairs) == envious_pairs(matching, preferences, priorities, capacities)


@settings(max_examples=200, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_the_inputs(instance, rng):
    preferences, priorities, capacities = instance

    def shuffled(mapping):
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    expected = deferred_acceptance(preferences, priorities, capacities)

    assert deferred_acceptance(shuffled(preferences), shuffled(priorities), shuffled(capacities)) == expected


@settings(max_examples=200, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_repeating_wishes_after_their_first_mention_changes_nothing(instance, rng):
    preferences, priorities, capacities = instance
    with_repeats = {}
    for applicant, wishes in preferences.items():
        repeated = list(wishes)
        for program in wishes:
            # Anywhere after the program's first mention, so the order of first mentions stays.
            repeated.insert(rng.randint(repeated.index(program) + 1, len(repeated)), program)
        with_repeats[applicant] = repeated

    expected = deferred_acceptance(preferences, priorities, capacities)

    assert deferred_acceptance(with_repeats, priorities, capacities) == expected
