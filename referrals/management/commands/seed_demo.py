from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals import demo


class Command(BaseCommand):
    help = "Creates the demo referral network (idempotent). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates people with a known password; it runs only with DEBUG on "
                               "(or with --force).")
        if demo.seed(stdout=self.stdout):
            self.stdout.write(self.style.SUCCESS(f"Demo network ready. Every sign-in uses the password "
                                                 f"“{demo.PASSWORD}”."))
        else:
            self.stdout.write("The demo network is already there; nothing changed.")
