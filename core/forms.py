"""What the web forms share."""

from django.core.exceptions import ValidationError

from core.errors import ApplicationError, InvalidInput, add_to_form
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
