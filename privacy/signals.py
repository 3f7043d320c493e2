"""What privacy tells the apps above it (which connect in their ``AppConfig.ready``): privacy sits below the
referral lifecycle and never imports it.

``seeker_erasing`` (``seeker``, ``referral_ids``, ``user_id``, ``short_name``)
    Sent by ``privacy.services.seeker_erase`` inside its transaction, once the profile is cleared: an app that
    keeps free text or names about the person in its own rows scrubs them (referrals: note bodies, goal titles
    copied into the history, the person's name as the actor of their own events, the address and browser of
    their email-link visits). ``user_id`` is the person's own account, ``short_name`` ("First L.") how history
    lines named them. A receiver that raises fails the erasure, which then changes nothing.
"""

from django.dispatch import Signal

seeker_erasing = Signal()
