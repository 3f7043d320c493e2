"""The program listing as its claimers edit it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from core.errors import InvalidInput
from core.forms import add_service_errors

from . import policies
from .forms import EligibilityForm, IntakeQuestionForm, IntakeQuestionFormSet
from .models import Program
from .selectors import program_get
from .services import (
    EDITABLE_BY_CLAIMERS,
    ELIGIBILITY_FIELDS,
    MAX_SLOTS,
    QUESTION_FIELDS,
    program_set_questions,
    program_update,
)


def _text(label: str, name: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=EDITABLE_BY_CLAIMERS[name]
    )


class ProgramListingForm(EligibilityForm):
    description = _text("Description", "description")
    eligibility = _text("Other eligibility notes", "eligibility")
    next_steps = _text("Next steps for the person referred", "next_steps")
    next_steps_es = _text("The next steps in Spanish (shown to seekers who read Spanish)", "next_steps_es")
    accepts_referrals = forms.BooleanField(label="Accepting referrals now", required=False)
    capacity_available = forms.IntegerField(label="Open slots", required=False, min_value=0, max_value=MAX_SLOTS)
    capacity_maximum = forms.IntegerField(label="Maximum slots", required=False, min_value=0, max_value=MAX_SLOTS)
    counts_slots = forms.BooleanField(
        label="Accepting a referral takes an open slot, and closing it gives the slot back",
        help_text="Off: you keep the open slots up to date here yourself. At zero open slots, helpers see "
        "“Waitlist” before they send a referral.",
        required=False,
    )
    capacity_confirmed = forms.BooleanField(
        label="The open slots are still right (records today as the last update even if they did not change)",
        required=False,
    )
    round_robin_assignment = forms.BooleanField(
        label="Assign new referrals to the program's claimers in turn (round robin)",
        required=False,
    )

    @classmethod
    def for_program(cls, program: Program, data=None):
        initial = {name: getattr(program, name) for name in (*EDITABLE_BY_CLAIMERS, *ELIGIBILITY_FIELDS)}
        return cls(data, initial=initial)


@login_required
def manage(request, public_id):
    """A claimer of the program, or an admin of its organization, edits its listing. Others: 403."""
    try:
        program = program_get(public_id=public_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    policies.check(request.user, "edit_listing", program)
    form = ProgramListingForm.for_program(program, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            confirmed = data.pop("capacity_confirmed")
            try:
                program_update(actor=request.user, program=program, capacity_confirmed=confirmed, **data)
            except InvalidInput as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{program.name} is updated.")
                return redirect("programs:manage", public_id=program.public_id)
        status = 400
    return render(
        request,
        "programs/claimer_manage.html",
        {"program": program, "form": form, "eligibility_fields": (*ELIGIBILITY_FIELDS, "eligibility")},
        status=status,
    )


def _preview(questions: list[dict]) -> list[tuple[str, str, list]]:
    """The questions as the Connect form asks them, in English and in Spanish: [(language, title, fields)]."""
    from .forms import IntakeAnswersMixin

    class Preview(IntakeAnswersMixin, forms.Form):
        pass

    previews = []
    for language, title in (("en", "In English"), ("es", "In Spanish (where the Spanish wording is given)")):
        form = Preview(auto_id=f"preview_{language}_%s")
        form.add_intake_questions(questions, language)
        previews.append((language, title, form.intake_answer_fields()))
    return previews


@login_required
def questions(request, public_id):
    """A claimer of the program, or an admin of its organization, sets the questions the Connect form asks, with
    a preview of how it asks them. Others: 403."""
    try:
        program = program_get(public_id=public_id)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    policies.check(request.user, "edit_listing", program)
    current = list(program.intake_questions.all())
    initial = [IntakeQuestionForm.initial_for(question) for question in current]
    status, refusals = 200, []
    if request.method == "POST":
        formset = IntakeQuestionFormSet(request.POST, initial=initial, prefix="questions")
        if formset.is_valid():
            ordered = formset.ordered_forms
            given = [
                {name: form.cleaned_data.get(name) for name in ("id", *QUESTION_FIELDS)}
                for form in ordered
                if not form.cleaned_data.get("DELETE")
            ]
            try:
                program_set_questions(actor=request.user, program=program, questions=given)
            except InvalidInput as error:
                for key, problems in error.errors.items():
                    index, _, field = key.partition("-")
                    target = ordered[int(index)] if index.isdigit() and int(index) < len(ordered) else None
                    if target is not None and field in target.fields:
                        target.add_error(field, problems)
                    else:
                        refusals.extend(problems)
            else:
                messages.success(request, f"The questions of {program.name} are saved.")
                return redirect("programs:questions", public_id=program.public_id)
        status = 400
    else:
        formset = IntakeQuestionFormSet(initial=initial, prefix="questions")
    return render(
        request,
        "programs/claimer_questions.html",
        {
            "program": program,
            "formset": formset,
            "refusals": refusals,
            "previews": _preview([question.snapshot() for question in current]),
        },
        status=status,
    )
