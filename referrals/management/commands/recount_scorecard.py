"""Rebuilds the network scorecard's kept counts from the referrals (referrals.kept.recount) and says what differed.

Run it after loading referrals past the services (a restore, a bulk load), or to see the drift the nightly check
would report. Safe while the site runs: increments wait on the recount, then apply on top of it."""

from django.core.management.base import BaseCommand

from referrals import kept


class Command(BaseCommand):
    help = "Recount the network scorecard's kept counts from the referrals and repair any that differ."

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            width = 25
            bar = "#" * (width * done // total)
            self.stdout.write(f"\r  recounting [{bar:<{width}}] {done}/{total}", ending="")
            self.stdout.flush()

        drift = kept.recount(progress=progress)
        kept.tidy()
        self.stdout.write("")
        self.stdout.write(drift.summary())
        for example in drift.examples:
            self.stdout.write(f"  {example}")
