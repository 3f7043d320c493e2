"""Session bookkeeping at sign-in, so that the middleware needs no query on ordinary requests."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SESSION_LAST_SEEN, SESSION_STARTED, SESSION_TWO_FACTOR_SETTLED, two_factor_settled


@receiver(user_logged_in, dispatch_uid="privacy.session_started")
def session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now
    # A user with no device whose role does not require one has nothing more to do in this session.
    request.session[SESSION_TWO_FACTOR_SETTLED] = two_factor_settled(user)
