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
