"""What the web forms share."""

from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField
from django.template.loader import render_to_string

from core.errors import ApplicationError, InvalidInput, add_to_form
from core.jinja2 import kept
from core.text import clean_text


def error_messages(errors) -> list[str]:
    """Every message of a form's errors, of a service's refusal (core.errors) or of a ValidationError, by field
    or not, in one list (for a page that shows them on top, or a plain-text answer)."""
    if isinstance(errors, ApplicationError):
        return errors.messages
    if isinstance(errors, ValidationError):
        return list(errors.messages)
    return [message for messages in errors.values() for message in messages]


def add_service_errors(form, error) -> None:
    """A service's refusal shown on the form that called it: by field where the form has that field, above the
    form otherwise (core.errors.add_to_form). Also takes a Django ValidationError (a model's full_clean)."""
    if isinstance(error, ApplicationError):
        add_to_form(form, error)
    elif not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
    else:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)


def form_text(value, **options) -> str:
    """core.text.clean_text for a form's ``clean_<field>``: the same refusals, in the same words, as the field's
    error (``options`` as clean_text's)."""
    try:
        return clean_text(value, **options)
    except InvalidInput as error:
        raise ValidationError(error.message, code=error.code) from None


def filter_fields(form, template: str = "includes/field_grid.html") -> str:
    """A list's filter form's fields (``template``, by default includes/field_grid.html: labels, widgets, errors),
    rendered once per process for each set of choices and submitted values (core.jinja2.kept): what they print
    depends on nothing else, as long as the form's labels, help texts and widgets are its class's own (or change
    only with the language), it takes no initial values, reads no choices from the database (a model's) and has none
    in groups (a form with initial values, such choices or groups is rendered as usual). Inbound Referrals' took
    ~1.3 ms of a render's ~13; the public directory's search form (its categories are choices read from the
    database, but not a model's: they are in the key) ~1 of ~8."""
    fields = form.fields.values()
    if form.initial or any(field.initial is not None or isinstance(field, ModelChoiceField) for field in fields):
        return render_to_string(template, {"form": form})  # not kept: see above
    with_choices = [(name, field.choices) for name, field in form.fields.items() if hasattr(field, "choices")]
    if any(isinstance(label, list | tuple) for _, field_choices in with_choices for _, label in field_choices):
        return render_to_string(template, {"form": form})  # groups of choices: not kept
    choices = tuple(
        (name, tuple((value, str(label)) for value, label in field_choices)) for name, field_choices in with_choices
    )
    data = tuple(sorted((name, tuple(values)) for name, values in form.data.lists())) if form.is_bound else None
    key = ("filter fields", template, type(form).__module__, type(form).__qualname__, choices, data)
    return kept(key, lambda: render_to_string(template, {"form": form}), typed=_typed(form, data))


def _typed(form, data) -> bool:
    """Whether ``data`` (a bound form's, as ``filter_fields`` keys it) holds anything besides the choices of the
    form's fields, or empty values: text a person typed (the directory's words or zip code, a number of days), or
    a parameter no field reads. Such renderings are kept apart (core.jinja2.kept's ``typed``)."""
    if not data:
        return False
    chosen = {
        form.add_prefix(name): {str(value) for value, _ in field.choices}
        for name, field in form.fields.items()
        if hasattr(field, "choices")
    }
    return any(value and value not in chosen.get(name, ()) for name, values in data for value in values)
