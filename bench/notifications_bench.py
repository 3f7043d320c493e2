"""Benchmark: how many emails per second one Celery worker delivers from the outbox.

Not a test. It queues N outbox messages (one task each, all attached to one referral, so every delivery
also writes its "email sent" history event as in production), then starts one worker node and measures
from the first message sent to the last. Mail goes to Django's locmem backend, so the number measures
our pipeline (Redis, the row claim, the lease, marking sent, the history event), not a mail provider.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_notify_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/notifications_bench.py --messages 10000

``--in-process`` delivers in this process instead (no Celery), ``--profile`` under pyinstrument. What the
outbox benchmarks share (settings, database, worker, measurement) is in bench/outbox_bench.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import outbox_bench  # noqa: E402


def main() -> None:
    outbox_bench.production_environment()
    args = outbox_bench.arguments(__doc__.split("\n")[0], count_flag="messages", default=10_000)
    outbox_bench.setup_django()
    from django.utils import timezone

    from notifications.models import OutboxMessage
    from notifications.services import EMAIL_CHANNEL

    referral = bench_referral()
    now = timezone.now()

    def rows(count):
        return [
            OutboxMessage(
                key=f"bench:{now.timestamp()}:{number}",
                kind=OutboxMessage.Kind.STATUS_CHANGED,
                referral=referral,
                recipient_email=f"person{number}@example.org",
                subject="Referral to Community Food Pantry: Accepted",
                body_text="Hello,\n\nThe referral is now: Accepted.\n" * 4,
                body_html="<p>Hello,</p><p>The referral is now: Accepted.</p>" * 4,
            )
            for number in range(count)
        ]

    outbox_bench.run(args=args, channel=EMAIL_CHANNEL, make_rows=rows, noun="email")


def bench_referral():
    return outbox_bench.bench_referral(
        prefix="Benchmark",
        email="bench@example.org",
        seeker_fields={"email": "pat@example.org", "contact_preference": "do_not_contact"},
    )


if __name__ == "__main__":
    main()
