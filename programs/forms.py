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
