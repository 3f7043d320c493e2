"""Forms of the referral page. The choices offered come from the rule book (referrals.policies, which reads
the status table for the person's parties); the services check everything again."""

from django import forms

from core.forms import form_text

from .services import NOTE_MAX_LENGTH
from .statuses import RULES, Reason, Status, reasons_for

TOO_LONG = f"The note is too long (at most {NOTE_MAX_LENGTH} characters)."


class StatusForm(forms.Form):
    """Offers only the statuses and reasons this person may choose. Anything else that is posted goes to the
    service, which refuses it (403 for a change the person may not make)."""

    to_status = forms.ChoiceField(
        label="Status",
        choices=Status.choices,
        error_messages={
            "required": "Choose the new status.",
            "invalid_choice": "That is not a referral status.",
        },
    )
    reason = forms.ChoiceField(
        label="Reason",
        required=False,
        choices=[("", "")] + Reason.choices,
        error_messages={"invalid_choice": "That is not a reason we know."},
    )
    note = forms.CharField(
        label="Explanation (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": TOO_LONG},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": "Reload the page and try again."}
    )
    replaced_by = forms.ChoiceField(
        label="New referral (optional)",
        required=False,
        choices=[("", "")],
        error_messages={"invalid_choice": "Choose one of this person's other referrals."},
    )

    def __init__(self, *args, referral, access, replacements=None, **kwargs):
        """``access``: the person's rule book on the referral (referrals.policies.ReferralAccess).
        ``replacements``: a callable giving the referrals that may replace this one (only called when
        "Referred elsewhere" is offered)."""
        super().__init__(*args, **kwargs)
        self.targets = access.status_targets()
        self.reason_groups = [(Status(target).label, access.reasons(target)) for target in self.targets]
        self.reason_groups = [(label, reasons) for label, reasons in self.reason_groups if reasons]
        self.needs_reason = {target.value for target in self.targets if reasons_for(target)}
        # Named in the note's hint only when this person may choose them.
        self.note_required_for = [target.label for target in self.targets if RULES[target].note_required]
        self.fields["version"].initial = referral.version
        offers_elsewhere = any(Reason.REFERRED_ELSEWHERE in reasons for _, reasons in self.reason_groups)
        candidates = list(replacements()) if offers_elsewhere and replacements is not None else []
        self.replacements = {str(candidate.public_id): candidate for candidate in candidates if not candidate.is_closed}
        self.fields["replaced_by"].choices = [("", "None")] + [
            (key, f"{candidate.program.name} (sent {candidate.sent_at:%b %-d, %Y})")
            for key, candidate in self.replacements.items()
        ]

    def clean_replaced_by(self):
        value = self.cleaned_data["replaced_by"]
        return self.replacements.get(value) if value else None

    def clean_note(self):
        return form_text(self.cleaned_data["note"], label="note")

    def clean(self):
        data = super().clean()
        if data.get("to_status") and not reasons_for(data["to_status"]):
            data["reason"] = ""  # left over from another choice in the form; this status takes none
        if data.get("reason") != Reason.REFERRED_ELSEWHERE:
            data["replaced_by"] = None  # only "referred elsewhere" links a new referral
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first.", "max_length": TOO_LONG},
    )

    def clean_body(self):
        return form_text(self.cleaned_data["body"], label="note", required=True, empty_message="Write the note first.")


class GoalChoiceForm(forms.Form):
    goal = forms.ChoiceField(
        label="Goal", required=False, error_messages={"invalid_choice": "Choose one of this person's goals."}
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, referral, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {str(goal.public_id): goal for goal in goals}
        self.fields["goal"].choices = [("", "No goal")] + [(key, goal.title) for key, goal in self.goals.items()]
        self.fields["goal"].initial = str(referral.goal.public_id) if referral.goal_id else ""
        self.fields["version"].initial = referral.version

    def clean_goal(self):
        value = self.cleaned_data["goal"]
        return self.goals.get(value) if value else None


class ReopenForm(forms.Form):
    note = forms.CharField(
        label="Why reopen",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the referral is reopened.", "max_length": TOO_LONG},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = referral.version

    def clean_note(self):
        return form_text(
            self.cleaned_data["note"], label="note", required=True, empty_message="Say why the referral is reopened."
        )
