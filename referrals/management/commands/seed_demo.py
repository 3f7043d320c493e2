from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from core import outbox
from referrals import demo

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class Command(BaseCommand):
    help = "Creates the demo referral network (idempotent). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates people with a known password; it runs only with DEBUG on (or with --force)."
            )
        # The demo's stories send about two hundred emails. Printed by the console backend (the development
        # default) they would bury the password below twelve thousand lines: they are kept in the outbox (the
        # dev mailbox shows each one) and summed up by kind instead. A backend that delivers (Mailpit, SMTP)
        # still gets them.
        quiet = settings.EMAIL_BACKEND == CONSOLE_BACKEND
        started = timezone.now()
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend") if quiet else nullcontext()
        ):
            seeded = demo.seed(stdout=self.stdout)
        if not seeded:
            self.stdout.write("The demo network is already there; nothing changed.")
            return
        self._summarize_messages(since=started)
        self.stdout.write(self.style.SUCCESS(f"Demo network ready. Every sign-in uses the password “{demo.PASSWORD}”."))

    def _summarize_messages(self, *, since):
        """One line per kind of message the seed wrote (the outbox rows of every channel: emails, and any
        other channel with kinds), under a line saying where to read them."""
        lines = []
        total = 0
        for channel in outbox.channels():
            rows = channel.rows().filter(created_at__gte=since)
            kind = next((field for field in channel.model._meta.fields if field.name == "kind"), None)
            if kind is None:
                count = rows.count()
                if count:
                    lines.append(f"  {count:>4}  {channel.name}")
                total += count
                continue
            labels = dict(kind.flatchoices)
            for row in rows.values("kind").annotate(count=Count("pk")).order_by("-count", "kind"):
                lines.append(f"  {row['count']:>4}  {labels.get(row['kind'], row['kind'])}")
                total += row["count"]
        if total:
            mailbox = settings.SITE_URL.rstrip("/") + reverse("notifications:mailbox")
            self.stdout.write(f"{total} demo messages, one line per kind (the dev mailbox, {mailbox}, shows each):")
            self.stdout.write("\n".join(lines))
