"""The seeker door's part of the demo (``manage.py seed_demo``): a request for help nobody confirmed yet, so that
the dev mailbox shows its code and link and the person's side can be tried (README, "Try the seeker's side")."""

from __future__ import annotations

from core.contacts import Contact

from . import services

PENDING = ("Ahmed", "Karim", "ahmed.karim@example.com", "Mobile Food Market")


def seed_pending_request(*, programs, say) -> None:
    first, last, email, name = PENDING
    services.self_referral_request(
        program=programs[name],
        first_name=first,
        last_name=last,
        contact=Contact("email", email),
        language="en",
        message="We ran out of food this week.",
    )
    say(f"A request for help to {name} waits for {email} to confirm it (its code is in the dev mailbox).\n")
