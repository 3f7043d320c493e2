"""What sign-in keeps beside other libraries' tables: the record beside each API token."""

import uuid

from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac


class ApiToken(models.Model):
    """What the app records beside each API token. The token itself is django-rest-knox's ``knox.AuthToken``
    (a hash of the token, its first characters ``token_key``, the user, when it was made, when it expires);
    deleting that row (revoking, ending) deletes this one. Recorded here: whether the token was issued with a
    verified second factor (a token issued without one never acts for someone who now needs one), a
    fingerprint of the password it was issued under (a password change or reset ends it, as it ends
    sessions), when it was last used, and the ``public_id`` its owner's revoke page is addressed by. Only
    tokens issued by POST /api/v1/auth/token/ have one, and only those work (api.authentication)."""

    token = models.OneToOneField("knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="details")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    with_second_factor = models.BooleanField(
        default=False, help_text="Issued after a verified code from the person's authenticator (or a recovery code)."
    )
    password_fingerprint = models.CharField(max_length=64, editable=False)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self):
        return f"{self.token_key}… ({self.token.user})"

    @property
    def token_key(self) -> str:
        return self.token.token_key

    @property
    def created(self):
        return self.token.created

    @property
    def expiry(self):
        return self.token.expiry

    @staticmethod
    def fingerprint(user) -> str:
        """A keyed hash of the account's password hash (as Django's session auth hash is): it changes when the
        password does, whichever way (the password change and reset pages, the Django admin, a command)."""
        return salted_hmac("privacy.ApiToken.password", user.password, algorithm="sha256").hexdigest()

    def password_unchanged(self, user) -> bool:
        return constant_time_compare(self.password_fingerprint, self.fingerprint(user))
