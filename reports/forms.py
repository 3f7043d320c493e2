from datetime import timedelta

from django import forms
from django.utils import timezone

from .selectors import Period

MAX_DAYS = 3 * 366
DATE_MESSAGES = {"invalid": "Enter the date as year-month-day, for example 2026-03-31."}


class PeriodForm(forms.Form):
    """The report's dates, from the query string. Both are optional: the default is the last 90 days."""

    start = forms.DateField(label="From", required=False, input_formats=["%Y-%m-%d"], error_messages=DATE_MESSAGES,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="To (included)", required=False, input_formats=["%Y-%m-%d"],
                          error_messages=DATE_MESSAGES,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

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
