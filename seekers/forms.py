from datetime import date

from django import forms

from .models import Seeker
from .validation import (
    WHY_ASKED,
    contact_detail_missing,
    normalize_household_size,
    normalize_languages,
    normalize_monthly_income,
    normalize_phone,
    normalize_zip,
)

OLDEST_PLAUSIBLE_AGE = 120


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label="Search people",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email, phone or zip"}),
    )


class LanguagesInput(forms.CharField):
    """Language names or codes typed in one box, shown as the codes joined by commas."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def has_changed(self, initial, data):
        try:
            return normalize_languages(initial or []) != normalize_languages(data)
        except ValueError:
            return True


class SeekerForm(forms.ModelForm):
    """Personal information. Phone numbers are kept as their ten digits."""

    # The facts eligibility rules read: optional, each saying why it is asked (seekers.validation.WHY_ASKED).
    household_size = forms.CharField(
        label="People in the household",
        required=False,
        help_text=WHY_ASKED["household_size"],
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    monthly_income = forms.CharField(
        label="Household income a month ($)",
        required=False,
        help_text=WHY_ASKED["monthly_income"],
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    languages = LanguagesInput(label="Languages spoken", required=False, help_text=WHY_ASKED["languages"])

    class Meta:
        model = Seeker
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "zip_code",
            "email",
            "phone",
            "preferred_language",
            "contact_preference",
            "household_size",
            "monthly_income",
            "languages",
        ]
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "date_of_birth": "Date of birth",
            "zip_code": "Zip code",
            "email": "Email",
            "phone": "Phone",
            "preferred_language": "Preferred language",
            "contact_preference": "How to contact",
        }
        error_messages = {"first_name": {"required": "Enter a first name."}}
        help_texts = {
            "zip_code": "Five digits, e.g. 60640 (ZIP+4 is fine).",
            "phone": "With its area code, like 312-555-0142; spaces, dashes and brackets are fine. Start with + and the country code for a number abroad.",
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "zip_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError("Enter a first name.")
        return value

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def clean_zip_code(self):
        try:
            return normalize_zip(self.cleaned_data["zip_code"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_household_size(self):
        return self._normalized("household_size", normalize_household_size)

    def clean_monthly_income(self):
        return self._normalized("monthly_income", normalize_monthly_income)

    def clean_languages(self):
        return self._normalized("languages", normalize_languages)

    def _normalized(self, name, normalize):
        try:
            return normalize(self.cleaned_data[name])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned_data = super().clean()
        if not self.has_error("email") and not self.has_error("phone") and "contact_preference" in cleaned_data:
            missing = contact_detail_missing(
                contact_preference=cleaned_data["contact_preference"],
                email=cleaned_data.get("email", ""),
                phone=cleaned_data.get("phone", ""),
            )
            if missing:
                self.add_error(*missing)
        return cleaned_data

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value is None:
            return None
        today = date.today()
        if value > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if today.year - value.year > OLDEST_PLAUSIBLE_AGE:
            raise forms.ValidationError(f"Check the year: that would make them over {OLDEST_PLAUSIBLE_AGE}.")
        return value
