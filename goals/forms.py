from django import forms

from .services import TITLE_MAX_LENGTH


class GoalForm(forms.Form):
    title = forms.CharField(label="New goal", max_length=TITLE_MAX_LENGTH,
                            error_messages={"required": "Give the goal a name.",
                                            "max_length": f"The goal's name is too long (at most {TITLE_MAX_LENGTH} "
                                                          "characters)."})

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the goal a name.")
        return title
