"""Benchmark: how many texts per second one Celery worker delivers from the text outbox to Twilio's API.

Not a test. It writes N text rows (each to a seeker who chose texts, about one referral, so every delivery
also writes its "text sent" history event as in production), queues one task each, then starts one worker
node whose ``sms.backends.TwilioBackend`` (the real ``twilio`` client) posts to a loopback stand-in of
Twilio's Messages API (tests/sms/twilio_standin.py, a thread of this process: nothing leaves the machine),
and measures from the first text sent to the last.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rn_sms_bench \
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/sms_bench.py --texts 3000

Quiet hours are off for the run (``SMS_QUIET_HOURS=off``), so the figure does not depend on the hour it is run
at. ``--in-process`` delivers in this process instead (no Celery; the stand-in's thread is not counted in the
CPU), ``--profile`` under pyinstrument. What the outbox benchmarks share is in bench/outbox_bench.py.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import outbox_bench  # noqa: E402


def main() -> None:
    outbox_bench.production_environment(
        SMS_BACKEND="sms.backends.TwilioBackend",
        SMS_QUIET_HOURS="off",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="benchmark-token",
        TWILIO_FROM_NUMBER="+13125550100",
    )
    args = outbox_bench.arguments(__doc__.split("\n")[0], count_flag="texts", default=3000)
    from tests.sms.twilio_standin import TwilioStandIn

    standin = TwilioStandIn().start()
    os.environ["TWILIO_API_BASE_URL"] = standin.url  # the worker inherits it
    try:
        outbox_bench.setup_django()
        from django.utils import timezone

        from sms.models import TextMessage
        from sms.services import SMS_CHANNEL

        referral = bench_referral()
        now = timezone.now()
        body = (
            "Your referral to Benchmark Pantry: The program will help you. See it and answer: "
            "http://localhost/t/AbCdEfGhIj/"
        )

        def rows(count):
            return [
                TextMessage(
                    key=f"bench:{now.timestamp()}:{number}",
                    kind=TextMessage.Kind.STATUS_CHANGED,
                    referral=referral,
                    recipient_seeker=referral.seeker,
                    to_number=referral.seeker.phone,
                    body=body,
                )
                for number in range(count)
            ]

        result = outbox_bench.run(args=args, channel=SMS_CHANNEL, make_rows=rows, noun="text")
        print(f"the stand-in accepted {len(standin.sent())} of {result.rows}")
    finally:
        standin.stop()


def bench_referral():
    """One referral of a seeker who chose texts, in a small network of its own, made through the services."""
    return outbox_bench.bench_referral(
        prefix="Benchmark Text",
        email="sms-bench@example.org",
        seeker_fields={"phone": "+13125550142", "contact_preference": "text"},
    )


if __name__ == "__main__":
    main()
