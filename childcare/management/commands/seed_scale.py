import time

from django.core.management.base import BaseCommand, CommandError

from childcare.demo.scale import build_city, city_exists, flush_city, foreign_data


class Command(BaseCommand):
    help = (
        "Create a synthetic city for benchmarks: facilities with places, children already placed, "
        "applications in every state with ranked wishes. Deterministic for a given --seed and day. "
        "Refuses to write into a database that holds other data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--facilities", type=int, default=3000)
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--wishes", type=int, default=5, help="most wishes per application (1..10)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--flush", action="store_true", help="remove a synthetic city written before")
        parser.add_argument(
            "--force", action="store_true", help="write although the database holds non-synthetic data"
        )

    def handle(self, *args, facilities, applications, wishes, seed, flush, force, **options):
        if facilities < 1 or applications < 0 or not 1 <= wishes <= 10:
            raise CommandError("--facilities must be at least 1, --applications 0 or more, --wishes 1 to 10.")
        foreign = foreign_data()
        if foreign and not force:
            raise CommandError(
                f"This database holds data that is not synthetic ({', '.join(foreign)}). "
                "Use an empty database, or --force to add a synthetic city next to it."
            )
        started = time.perf_counter()
        if flush:
            flush_city()
            self.stdout.write(
                f"Removed the previous synthetic city in {time.perf_counter() - started:.1f} s."
            )
        elif city_exists():
            raise CommandError("A synthetic city exists already; add --flush to replace it.")
        started = time.perf_counter()
        counts = build_city(facilities=facilities, applications=applications, wishes=wishes, seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Synthetic city written in {elapsed:.1f} s:"))
        for name, count in counts.items():
            self.stdout.write(f"  {name:<22} {count:>9,}")
