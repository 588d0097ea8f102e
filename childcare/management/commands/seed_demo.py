from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from childcare.demo.seeding import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create demo facilities, accounts and applications for the fictional town of Musterstadt. "
        "Safe to run again: whatever exists is left as it is. Refuses to run unless DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to seed demo data with DEBUG off: demo accounts with a known password "
                "are not allowed in production."
            )
        accounts = seed_demo()
        width = max(len(account.role) for account in accounts)
        self.stdout.write(self.style.SUCCESS("Musterstadt demo data is in place.") + "\n")
        self.stdout.write(f"{'Role':<{width}}  E-mail")
        self.stdout.write(f"{'-' * width}  {'-' * 6}")
        for account in accounts:
            self.stdout.write(f"{account.role:<{width}}  {account.email}")
        self.stdout.write(f"\nPassword for all demo accounts: {DEMO_PASSWORD}")
        self.stdout.write("Accounts that existed before this run keep their password.")
