"""What a member of the public types to be reached: an email address or a mobile number, read once for every
public form (the directory's "send this to me", the seeker's sign-in, asking a program for help), with refusals
in the active language; and the hidden field that keeps bots out of those forms."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, gettext_lazy

from .phones import PhoneNumberRefused, parse_phone, phone_display


@dataclass(frozen=True)
class Contact:
    """An email address or a mobile number (E.164), as a person typed it and it was read."""

    kind: str  # "email" or "text"
    value: str

    @property
    def is_email(self) -> bool:
        return self.kind == "email"

    @property
    def display(self) -> str:
        return self.value if self.is_email else phone_display(self.value)


def read_contact(typed: str) -> Contact:
    """``typed`` as an email address (it has an @) or a phone number (core.phones), or ValidationError saying why
    in the active language."""
    text = (typed or "").strip()
    if not text:
        raise ValidationError(gettext("Enter your email address or your mobile number."), code="required")
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                gettext("That is not an email address we can write to; check it, like maria@example.com."),
                code="invalid_email",
            ) from None
        local, _, domain = text.rpartition("@")
        return Contact("email", f"{local}@{domain.lower()}")
    try:
        return Contact("text", parse_phone(text))
    except PhoneNumberRefused as error:
        raise ValidationError(gettext(str(error)), code="invalid_phone") from None


class HoneypotForm(forms.Form):
    """A field people never see (hidden by the stylesheet's ``.honeypot``, out of the tab order) and bots fill: a
    form that comes back with it filled is answered as if it had worked, and nothing is done."""

    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(str(self.data.get("website", "")).strip())


class ContactField(forms.CharField):
    """An email address or a mobile number, cleaned into a ``Contact``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("required", False)  # read_contact says what is missing, in the visitor's words
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return read_contact(super().clean(value))
