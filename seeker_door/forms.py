"""The seeker's forms, in the page's language (core.contacts reads the email address or number typed)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

from core.contacts import ContactField, HoneypotForm


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
