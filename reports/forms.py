from datetime import date, timedelta

from django import forms
from django.utils import timezone

from .selectors import Period

MAX_DAYS = 3 * 366
DATE_MESSAGES = {"invalid": "Enter the date as year-month-day, for example 2026-03-31."}
# The network holds nothing older; bounding both ends also keeps date arithmetic away from year 1 and 9999.
EARLIEST = date(2000, 1, 1)


def latest() -> date:
    return timezone.localdate() + timedelta(days=366)


class PeriodForm(forms.Form):
    """The report's dates, from the query string. Both are optional: the default is the last 90 days."""

    start = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages=DATE_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="To (included)",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages=DATE_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def _bounded(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and value < EARLIEST:
            raise forms.ValidationError(f"Choose a date on or after {EARLIEST.isoformat()}.")
        if value is not None and value > latest():
            raise forms.ValidationError(f"Choose a date no later than {latest().isoformat()}.")
        return value

    def clean_start(self):
        return self._bounded("start")

    def clean_end(self):
        return self._bounded("end")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        default = Period.default()
        end = cleaned.get("end") or default.end
        start = cleaned.get("start") or end - timedelta(days=89)
        if start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError("Choose at most three years at a time.")
        if start > timezone.localdate():
            raise forms.ValidationError("The start date is in the future: there are no referrals yet.")
        cleaned["period"] = Period(start=start, end=end)
        return cleaned
