"""The public directory's forms, with messages in the page's language (core.contacts reads what was typed)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.contacts import ContactField, HoneypotForm


class SendDetailsForm(HoneypotForm):
    to = ContactField(
        label=gettext_lazy("Your email address or mobile number"),
        help_text=gettext_lazy(
            "An email address (like maria@example.com) or a mobile number that takes texts (like 312-555-0142). "
            "We keep nothing but the message we send, and we will not write again."
        ),
    )
