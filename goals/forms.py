from django import forms

from core.forms import form_text

from .services import TITLE_MAX_LENGTH


class GoalForm(forms.Form):
    title = forms.CharField(
        label="New goal",
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": "Give the goal a name.",
            "max_length": f"The goal's name is too long (at most {TITLE_MAX_LENGTH} characters).",
        },
    )

    def clean_title(self):
        return form_text(
            self.cleaned_data["title"], label="goal's name", required=True, empty_message="Give the goal a name."
        )
