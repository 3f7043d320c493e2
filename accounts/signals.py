"""What happens to people in an organization, told to the apps above accounts (which subscribe in their
``AppConfig.ready``): accounts sits at the bottom of the layers and never imports them.

Each signal is sent inside the service's transaction, so a receiver's writes commit or roll back with the
change, and a receiver that raises fails the change (as the calls they replace did).

``member_removed`` (``user``, ``organization``)
    A person left an organization: programs drops their claims on its programs, referrals their own grants on
    the referrals they made for it.
``invitation_sent`` (``invitation``, ``token``)
    An admin invited an existing account to join their organization (accounts.models.Invitation):
    notifications emails it the link (``token``: its signed value) to accept.
``member_invited`` (``user``, ``organization``, ``invited_by``)
    A new account (or one that never chose a password) was added or invited again: notifications emails them
    a link to choose a password.
``password_reset_requested`` (``user``)
    Someone asked for a password reset link for this account: notifications emails it (through the outbox).
``email_change_requested`` (``user``, ``new_email``, ``token``, ``valid_hours``)
    A person asked to sign in with a new address: notifications emails the confirmation link to it.
``role_changed`` (``user``, ``organization``, ``role``, ``promoted``)
    A person's role changed: made an admin or a worker, or an existing account joined an organization as its
    admin. privacy ends their API tokens. ``promoted`` (made an admin, or joined as one while an admin nowhere
    else): admins sign in with a second factor, so their sessions end too, once the change commits.
"""

from django.dispatch import Signal

member_removed = Signal()
invitation_sent = Signal()
member_invited = Signal()
role_changed = Signal()
password_reset_requested = Signal()
email_change_requested = Signal()
