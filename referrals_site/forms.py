"""What the web forms share."""

from django.core.exceptions import ValidationError


def error_messages(errors) -> list[str]:
    """Every message of a form's errors or of a ValidationError, by field or not, in one list (for a page that
    shows them on top, or a plain-text answer)."""
    if isinstance(errors, ValidationError):
        return list(errors.messages)
    return [message for messages in errors.values() for message in messages]


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form that called it: by field where the form has that field,
    above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)
