"""Time the placement core on a random city-scale instance.

Run from the repository root: ``.venv/bin/python bench/allocation_core.py [--applicants N] ...``.
Programs are drawn with Zipf-like popularity, each program's priority order is a random permutation
of the applicants who list it, and the seats add up to about 70 % of the applicants.
"""

import argparse
import random
import sys
import time
import tracemalloc
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from childcare.allocation.core import blocking_pairs, deferred_acceptance  # noqa: E402

POPULARITY_EXPONENT = 0.7
SEAT_SHARE = 0.7
STABILITY_SAMPLE = 5_000
CORE_RUNS = 3
# The full check takes 0.6-1 s per 500,000 wishes on a 2-core cloud machine; above this, sample.
FULL_CHECK_WISH_LIMIT = 2_500_000


def build_instance(*, applicants: int, programs: int, wishes: int, seed: int):
    if wishes > programs:
        raise SystemExit(f"--wishes ({wishes}) cannot exceed --programs ({programs}).")
    rng = random.Random(seed)
    names = list(range(programs))
    rng.shuffle(names)  # so popularity is not tied to the program number
    cum_weights = list(accumulate(1 / (position + 1) ** POPULARITY_EXPONENT for position in range(programs)))

    preferences = {}
    applicants_by_program = {program: [] for program in names}
    for applicant in range(applicants):
        chosen = {}
        while len(chosen) < wishes:
            chosen.update(dict.fromkeys(rng.choices(names, cum_weights=cum_weights, k=wishes - len(chosen))))
        wish_list = list(chosen)[:wishes]
        preferences[applicant] = wish_list
        for program in wish_list:
            applicants_by_program[program].append(applicant)

    priorities = {}
    for program, listed_by in applicants_by_program.items():
        rng.shuffle(listed_by)
        priorities[program] = listed_by

    raw = [rng.randint(5, 40) for _ in names]
    scale = SEAT_SHARE * applicants / sum(raw)
    capacities = {program: round(size * scale) for program, size in zip(names, raw, strict=True)}
    return preferences, priorities, capacities


def count_blocking_pairs(matching, preferences, priorities, capacities, *, seed: int) -> str:
    """Check everyone when the instance is small enough to do so in a few seconds, else a random sample."""
    wish_count = sum(len(wishes) for wishes in preferences.values())
    if wish_count > FULL_CHECK_WISH_LIMIT:
        sampled = random.Random(seed).sample(list(preferences), min(STABILITY_SAMPLE, len(preferences)))
        sample = {applicant: preferences[applicant] for applicant in sampled}
        pairs = blocking_pairs(matching, sample, priorities, capacities)
        return f"{len(pairs)} (random sample of {len(sample):,} applicants)"
    started = time.perf_counter()
    pairs = blocking_pairs(matching, preferences, priorities, capacities)
    return f"{len(pairs)} (all applicants, checked in {time.perf_counter() - started:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--programs", type=int, default=3_000)
    parser.add_argument("--wishes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    started = time.perf_counter()
    preferences, priorities, capacities = build_instance(
        applicants=args.applicants, programs=args.programs, wishes=args.wishes, seed=args.seed
    )
    build_seconds = time.perf_counter() - started

    core_seconds = []
    for _ in range(CORE_RUNS):
        started = time.perf_counter()
        matching = deferred_acceptance(preferences, priorities, capacities)
        core_seconds.append(time.perf_counter() - started)

    tracemalloc.start()
    deferred_acceptance(preferences, priorities, capacities)
    _, peak_bytes = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    reached = [
        preferences[applicant].index(program) + 1
        for applicant, program in matching.items()
        if program is not None
    ]
    stability = count_blocking_pairs(matching, preferences, priorities, capacities, seed=args.seed)

    print(f"applicants:          {len(preferences):,}")
    print(f"programs:            {len(capacities):,} ({sum(capacities.values()):,} seats)")
    print(f"matched:             {len(reached):,}")
    print(f"share matched:       {len(reached) / len(preferences):.1%}")
    print(f"average rank:        {sum(reached) / max(len(reached), 1):.2f} of matched (1 = first wish)")
    print(f"blocking pairs:      {stability}")
    print(f"build inputs:        {build_seconds:.2f} s")
    runs = ", ".join(f"{seconds:.3f}" for seconds in core_seconds)
    print(f"core time:           {min(core_seconds):.3f} s (best of {CORE_RUNS}: {runs})")
    print(f"peak memory (core):  {peak_bytes / 2**20:.1f} MiB (tracemalloc, an extra run)")


if __name__ == "__main__":
    main()
