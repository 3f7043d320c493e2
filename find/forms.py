"""The public directory's forms: what a visitor types, read into an email address or an E.164 mobile number, with
messages in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, gettext_lazy

from core.phones import PhoneNumberRefused, parse_phone


@dataclass(frozen=True)
class Contact:
    """An email address or a mobile number (E.164), as a visitor typed it and it was read."""

    kind: str  # "email" or "text"
    value: str

    @property
    def is_email(self) -> bool:
        return self.kind == "email"


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


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by the stylesheet, out of the tab order) and bots fill: a form that comes
    back with it filled is answered as if it had worked, and nothing is done."""

    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class SendDetailsForm(HoneypotMixin):
    to = forms.CharField(
        label=gettext_lazy("Your email address or mobile number"),
        max_length=254,
        required=False,  # read_contact says what is missing, in the visitor's words
        help_text=gettext_lazy(
            "An email address (like maria@example.com) or a mobile number that takes texts (like 312-555-0142). "
            "We keep nothing but the message we send, and we will not write again."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}),
    )

    def clean_to(self) -> Contact:
        return read_contact(self.cleaned_data.get("to", ""))
