"""The directory search form: the staff's program search (people.forms_programs adds the person's age) and the
public directory (/find/) read the same fields, checked the same way."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.zipcode import InvalidZipCode, parse_zip

from .models import Category

RADIUS_CHOICES = [
    ("", _("Any distance")),
    ("1", _("1 mile")),
    ("3", _("3 miles")),
    ("5", _("5 miles")),
    ("10", _("10 miles")),
    ("25", _("25 miles")),
    ("50", _("50 miles")),
]
KEYWORDS_MAX_LENGTH = 200


class DirectorySearchForm(forms.Form):
    zip = forms.CharField(
        label=_("Zip code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Radius (miles)"), choices=RADIUS_CHOICES, required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    q = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=KEYWORDS_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(Category.objects.order_by("name"))
        self.fields["category"].choices = [("", gettext("Any category"))] + [
            # The network's own categories are translated (locale/); an imported one keeps its name.
            (category.slug, gettext(category.name))
            for category in self.categories
        ]

    def clean_zip(self):
        try:
            return parse_zip(self.cleaned_data["zip"])
        except InvalidZipCode as error:
            raise forms.ValidationError(gettext(error.message)) from None

    def clean_q(self):
        return self.cleaned_data["q"].strip()


class ListInput(forms.CharField):
    """A list typed in one box; shown joined by ``separator`` (programs.eligibility parses it)."""

    def __init__(self, *, separator: str = ", ", **kwargs):
        self.separator = separator
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return self.separator.join(str(item) for item in value)
        return value

    def has_changed(self, initial, data):
        from .eligibility import parse_list_lines

        return parse_list_lines(self.prepare_value(initial)) != parse_list_lines(data)


def _number_box(label: str, help_text: str = "") -> forms.CharField:
    # Checked by programs.eligibility.clean_rules, which says what is wrong in the rule's own words.
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class EligibilityForm(forms.Form):
    """The structured eligibility of a program, as its claimers (ProgramListingForm) and network admins
    (ProgramAdmin) enter it. Every value is checked by programs.eligibility.clean_rules."""

    min_age = _number_box("Minimum age", "Empty: no minimum.")
    max_age = _number_box("Maximum age", "Empty: no maximum.")
    service_area_zip_codes = ListInput(
        label="Zip codes served",
        required=False,
        help_text="Separated by commas, like 60640, 60641. Empty (and no radius): anyone, wherever they live.",
    )
    service_radius_miles = _number_box(
        "Or within this many miles of the program", "People in the zip codes above or within the radius are served."
    )
    income_limit_percent_of_poverty = _number_box(
        "Household income up to this % of the federal poverty guideline",
        "Empty: no income limit. 200 serves households with up to twice the guideline for their household size.",
    )
    languages = ListInput(
        label="Languages spoken",
        required=False,
        help_text="Names or codes, separated by commas, like English, Spanish.",
    )
    required_documents = ListInput(
        separator="\n",
        label="Documents a person must bring",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, like Photo ID or Proof of address.",
    )

    ELIGIBILITY_FIELDS = (
        "min_age",
        "max_age",
        "service_area_zip_codes",
        "service_radius_miles",
        "income_limit_percent_of_poverty",
        "languages",
        "required_documents",
    )

    def clean(self):
        from .eligibility import clean_rules

        cleaned_data = super().clean()
        given = {name: cleaned_data[name] for name in self.ELIGIBILITY_FIELDS if name in cleaned_data}
        values, errors = clean_rules(given)
        for name, message in errors.items():
            self.add_error(name, message)
        cleaned_data.update({name: value for name, value in values.items() if name not in errors})
        return cleaned_data


# ---------------------------------------------------------------------------------------------------------
# Intake questions (programs.intake): as claimers write them, and as the Connect form asks them.


class IntakeQuestionForm(forms.Form):
    """One question on the listing's questions page (a formset: ordered, deletable). Checked by
    programs.intake.clean_question, as the service and the admin check it."""

    id = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="Question", required=False, widget=forms.TextInput(attrs={"maxlength": 300}))
    text_es = forms.CharField(
        label="The question in Spanish",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300}),
        help_text="Asked when the helper's pages are in Spanish; without it, the English wording.",
    )
    kind = forms.ChoiceField(label="Answer", choices=[], initial="short_text")
    required = forms.BooleanField(label="Required: the referral cannot be sent without an answer", required=False)
    help = forms.CharField(label="Help text (optional)", required=False)
    help_es = forms.CharField(label="Help text in Spanish (optional)", required=False)
    choices = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For “one choice” and “several choices”: one choice a line.",
    )
    choices_es = forms.CharField(
        label="Choices in Spanish",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The same choices in Spanish, in the same order, one a line (optional).",
    )

    def __init__(self, *args, **kwargs):
        from .intake import KINDS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(KINDS.items())

    @staticmethod
    def initial_for(question) -> dict:
        return {
            "id": str(question.public_id),
            **{name: getattr(question, name) for name in ("text", "text_es", "kind", "required", "help", "help_es")},
            "choices": "\n".join(question.choices or []),
            "choices_es": "\n".join(question.choices_es or []),
        }

    def clean(self):
        from .intake import clean_question

        cleaned_data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned_data
        values, errors = clean_question(cleaned_data)
        for name, message in errors.items():
            if name not in self.errors:  # a choice Django refused already says why
                self.add_error(name, message)
        cleaned_data.update({name: value for name, value in values.items() if name not in errors})
        return cleaned_data


class _IntakeQuestionFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": "A program asks at most %(num)d questions: remove some.",
    }


IntakeQuestionFormSet = forms.formset_factory(
    IntakeQuestionForm,
    formset=_IntakeQuestionFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=30,
    validate_max=True,
    absolute_max=60,
)


def answer_field_name(question: dict) -> str:
    return "answer_" + question["id"].replace("-", "")


class _Answer(forms.Field):
    """A question's box: gives what was typed or chosen as it is; programs.intake.clean_answers checks it."""

    def __init__(self, *, question: dict, wording: dict, **kwargs):
        self.question, self.wording = question, wording
        super().__init__(required=False, label=wording["text"], help_text=wording["help"], **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.question["required"] and not isinstance(widget, forms.CheckboxSelectMultiple):
            attrs["aria-required"] = "true"
        return attrs


def intake_fields(questions: list[dict], language: str | None) -> dict[str, forms.Field]:
    """The Connect form's fields for the program's questions, worded for a reader of ``language``."""
    from .intake import DATE, LONG_TEXT, NUMBER, ONE_CHOICE, SEVERAL_CHOICES, YES_NO, in_language

    fields = {}
    for question in questions:
        wording = in_language(question, language)
        kind = question["kind"]
        if kind == LONG_TEXT:
            widget = forms.Textarea(attrs={"rows": 3})
        elif kind == YES_NO:
            widget = forms.RadioSelect(choices=[("yes", gettext("Yes")), ("no", gettext("No"))])
        elif kind == ONE_CHOICE:
            widget = forms.RadioSelect(choices=wording["choices"])
        elif kind == SEVERAL_CHOICES:
            widget = forms.CheckboxSelectMultiple(choices=wording["choices"])
        elif kind == NUMBER:
            widget = forms.TextInput(attrs={"inputmode": "decimal"})
        elif kind == DATE:
            widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        else:
            widget = forms.TextInput()
        field = _Answer(question=question, wording=wording, widget=widget)
        field.is_group = kind in (YES_NO, ONE_CHOICE, SEVERAL_CHOICES)
        fields[answer_field_name(question)] = field
    return fields


class IntakeAnswersMixin:
    """A form that asks a program's questions (the Connect form): ``self.add_intake_questions(questions,
    language)`` in ``__init__``; ``clean_intake_answers()`` in ``clean`` puts the answers given, by question id,
    in ``cleaned_data["answers"]`` (the service checks them again) and each problem on its question's field."""

    def add_intake_questions(self, questions: list[dict], language: str | None) -> None:
        self.intake_questions = questions
        self.fields.update(intake_fields(questions, language))

    def intake_answer_fields(self):
        return [self[answer_field_name(question)] for question in getattr(self, "intake_questions", [])]

    def clean_intake_answers(self) -> None:
        from .intake import clean_answers

        given = {
            question["id"]: self.cleaned_data.get(answer_field_name(question))
            for question in getattr(self, "intake_questions", [])
        }
        _, errors = clean_answers(self.intake_questions, given)
        for question in self.intake_questions:
            if question["id"] in errors:
                self.add_error(answer_field_name(question), errors[question["id"]])
        self.cleaned_data["answers"] = given
