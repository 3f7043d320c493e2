from django import forms

from core.forms import form_text
from programs.forms import DirectorySearchForm, IntakeAnswersMixin
from referrals.models import Referral
from referrals.services import COMMENT_MAX_LENGTH
from referrals.statuses import Urgency


class ProgramSearchForm(DirectorySearchForm):
    """The directory's search form (programs.forms, the public directory's too), plus whether to show the
    programs the person is not eligible for (programs.eligibility)."""

    show_ineligible = forms.BooleanField(label="Show programs the person is not eligible for", required=False)


class ConnectForm(IntakeAnswersMixin, forms.Form):
    """What the helper adds to a referral, and the answers to the program's intake questions (``questions``:
    programs.selectors.program_questions, worded in ``language``); who and where come from the profile and the
    program."""

    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shared with the program: what the person needs, and anything that helps them respond.",
        error_messages={"max_length": f"The comment is too long (at most {COMMENT_MAX_LENGTH} characters)."},
    )
    urgency = forms.ChoiceField(label="Urgency", choices=Urgency.choices, initial=Urgency.ROUTINE)
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": "Record the person's consent before sending: the program cannot be told about them without it."
        },
    )
    consent_method = forms.ChoiceField(
        label="How it was given",
        choices=[("", "Choose…"), *Referral.ConsentMethod.choices],
        error_messages={"required": "Say how the person gave consent."},
    )
    goal = forms.ChoiceField(label="Goal (optional)", required=False)
    # Only for someone who claims programs: the referral is theirs, or made for one of their programs (whose
    # claimers then see and work it when the program shares its outbound referrals).
    on_behalf_of = forms.ChoiceField(
        label="Refer as",
        required=False,
        help_text="A referral made on behalf of a program is seen and worked by its "
        "claimers when the program shares its outbound referrals.",
        error_messages={"invalid_choice": "You can only refer on behalf of a program you claim."},
    )

    def __init__(
        self,
        *args,
        seeker,
        program,
        goals,
        referring_programs=(),
        referring_as="",
        questions=(),
        language=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.add_intake_questions(list(questions), language)
        self.fields[
            "consent"
        ].label = f"{seeker.full_name} gives consent to share their name and contact details with {program.name}"
        self.goals = {str(goal.public_id): goal for goal in goals}
        self.fields["goal"].choices = [("", "No goal")] + [(key, goal.title) for key, goal in self.goals.items()]
        self.referring_programs = {str(choice.public_id): choice for choice in referring_programs}
        if self.referring_programs:
            self.fields["on_behalf_of"].choices = [("", f"Myself{f' ({referring_as})' if referring_as else ''}")] + [
                (key, f"On behalf of {choice.name}") for key, choice in self.referring_programs.items()
            ]
        else:
            del self.fields["on_behalf_of"]

    def clean_comment(self):
        return form_text(self.cleaned_data["comment"], label="comment")

    def clean_goal(self):
        value = self.cleaned_data["goal"]
        return self.goals.get(value) if value else None

    def clean_on_behalf_of(self):
        value = self.cleaned_data["on_behalf_of"]
        return self.referring_programs.get(value) if value else None

    def clean(self):
        cleaned_data = super().clean()
        self.clean_intake_answers()
        return cleaned_data


class ForwardForm(IntakeAnswersMixin, forms.Form):
    """What a claimer adds when forwarding a referral to another program: the comment for the new program, the
    seeker's consent to share their details with it, and the answers to its intake questions (``questions``)."""

    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shared with the new program: why you are forwarding, and anything that helps them respond.",
        error_messages={"max_length": f"The comment is too long (at most {COMMENT_MAX_LENGTH} characters)."},
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": "Record the person's consent before forwarding: the new program cannot be "
            "told about them without it."
        },
    )
    consent_method = forms.ChoiceField(
        label="How it was given",
        choices=[("", "Choose…"), *Referral.ConsentMethod.choices],
        error_messages={"required": "Say how the person gave consent."},
    )

    def __init__(self, *args, seeker, program, questions=(), language=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "consent"
        ].label = f"{seeker.full_name} gives consent to share their name and contact details with {program.name}"
        self.add_intake_questions(list(questions), language)

    def clean_comment(self):
        return form_text(self.cleaned_data["comment"], label="comment")

    def clean(self):
        cleaned_data = super().clean()
        self.clean_intake_answers()
        return cleaned_data
