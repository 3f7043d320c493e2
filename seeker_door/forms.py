"""The seeker's forms, in the page's language (core.contacts reads the email address or number typed)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from core.contacts import ContactField, HoneypotForm
from core.text import has_unstorable_characters
from programs.forms import IntakeAnswersMixin

MESSAGE_MAX_LENGTH = 1000


class SignInForm(HoneypotForm):
    contact = ContactField(
        label=gettext_lazy("Your email address or mobile number"),
        help_text=gettext_lazy(
            "The one the program or your helper has for you. We send a link and a code to it; nothing else."
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The 6-digit code we sent you"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data.get("code", ""))
        if not code:
            raise ValidationError(gettext("Enter the 6-digit code from the message we sent you."), code="required")
        if not re.fullmatch(r"[0-9]{6}", code, flags=re.ASCII):
            raise ValidationError(gettext("The code has 6 digits, like 123456."), code="invalid")
        return code


class AskForm(IntakeAnswersMixin, HoneypotForm):
    """ "Ask them to contact me": who the person is, how to reach them, the answers to the program's intake
    questions (``questions``: programs.selectors.program_questions, worded in the page's ``language``; checked by
    programs.intake.clean_answers, each problem on its question), and their consent to the program's receiving it
    (``consent`` is labelled with the program's wording by the view)."""

    first_name = forms.CharField(label=gettext_lazy("Your first name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Your last name (optional)"), max_length=150, required=False)
    contact = ContactField(
        label=gettext_lazy("Your email address or mobile number"),
        help_text=gettext_lazy("We send a code to it first, to make sure it is yours. The program contacts you there."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language you prefer"), choices=[("en", "English"), ("es", "Español")]
    )
    message = forms.CharField(
        label=gettext_lazy("What help do you need? (optional)"),
        help_text=gettext_lazy("A few words for the program. Do not write anything you would not want them to read."),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, consent_label: str = "", language: str = "en", questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_intake_questions(list(questions), language)
        self.fields["consent"].label = consent_label
        self.fields["language"].initial = language
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean_first_name(self) -> str:
        return _name(self.cleaned_data.get("first_name", ""), required=True)

    def clean_last_name(self) -> str:
        return _name(self.cleaned_data.get("last_name", ""), required=False)

    def clean_message(self) -> str:
        message = (self.cleaned_data.get("message") or "").strip()
        if has_unstorable_characters(message):
            raise ValidationError(gettext("The message contains characters that cannot be stored."), code="invalid")
        return message

    def clean_consent(self) -> bool:
        if not self.cleaned_data.get("consent"):
            raise ValidationError(
                gettext(
                    "Tick the box to agree that the program receives your details: it cannot contact you otherwise."
                ),
                code="required",
            )
        return True

    def clean(self):
        cleaned_data = super().clean()
        self.clean_intake_answers()
        return cleaned_data


def _name(value: str, *, required: bool) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ValidationError(gettext("Enter your first name, so the program knows whom to ask for."), code="required")
    if has_unstorable_characters(value):
        raise ValidationError(gettext("That name cannot be used: type it with letters."), code="invalid")
    return value
