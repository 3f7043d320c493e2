from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from .models import Membership


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": "That email and password do not match an account. Check both and try again.",
        "inactive": "This account is inactive.",
    }


class ResetPasswordForm(PasswordResetForm):
    """Django's form, which also reaches people who have not chosen a password yet: a colleague whose
    invitation link (accounts.services.organization_member_add) expired asks for a new one here, where Django
    would skip an account without a usable password and say it sent an email all the same."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.lower() == email.lower())

    def save(self, *args, **kwargs):
        """The email goes through the outbox (retried, in the dev mailbox, its link on SITE_URL), not straight
        to the mail backend as Django's form sends it."""
        from .signals import password_reset_requested

        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_requested.send(sender=type(self), user=user)


# The Organization pages. The services validate again; these forms give each field its label and message.

ROLE_CHOICES = [(Membership.Role.WORKER, "Worker"), (Membership.Role.ADMIN, "Organization admin")]


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages={
            "invalid": "Enter an email address like name@example.org.",
            "required": "Enter their email address.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    # Needed for a new account only (the service says so on the field): a colleague who already works at an
    # organization of the network keeps the name they have.
    first_name = forms.CharField(
        label="First name", max_length=150, required=False, help_text="For someone new to the network."
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, required=False, help_text="For someone new to the network."
    )
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        initial=Membership.Role.WORKER,
        error_messages={
            "required": "Choose Worker or Organization admin.",
            "invalid_choice": "Choose Worker or Organization admin.",
        },
        help_text="Admins manage members, teams and sharing, see every referral of the "
        "organization and sign in with a second factor.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        error_messages={
            "required": "Choose Worker or Organization admin.",
            "invalid_choice": "Choose Worker or Organization admin.",
        },
    )


class TeamCreateForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=200, error_messages={"required": "Give the team a name."})
    shares_outbound = forms.BooleanField(
        label="Members share their outbound referrals",
        required=False,
        help_text="Every member may see and act on the referrals a member makes from now on.",
    )


class TeamRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=200, error_messages={"required": "Give the team a name."})


class SharingForm(forms.Form):
    # An explicit on/off, not a checkbox: an empty submission must not switch sharing off.
    shares_outbound = forms.ChoiceField(
        choices=[("on", "On"), ("off", "Off")],
        error_messages={
            "required": "Choose whether sharing is on or off.",
            "invalid_choice": "Choose whether sharing is on or off.",
        },
    )

    def cleaned_value(self) -> bool:
        return self.cleaned_data["shares_outbound"] == "on"


class PersonForm(forms.Form):
    """A member of the organization, named by email address (the page offers the members as suggestions)."""

    email = forms.EmailField(
        label="Member's email",
        max_length=254,
        error_messages={
            "invalid": "Enter an email address like name@example.org.",
            "required": "Enter the email address of a member.",
        },
    )
