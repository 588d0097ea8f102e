from django.core.management.base import BaseCommand

from childcare.facilities.availability import rebuild_availability


class Command(BaseCommand):
    help = (
        "Rewrite the stored free places of every program from capacities, placements and open offers. "
        "Run once after the upgrade that adds them; afterwards the portal keeps them, and beat rebuilds "
        "them nightly."
    )

    def handle(self, *args, **options):
        rows = rebuild_availability()
        self.stdout.write(self.style.SUCCESS(f"{rows} rows of free places written."))
