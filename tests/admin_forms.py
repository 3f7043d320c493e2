"""Posting a Django admin form the way a browser does: every field as the page shows it, then changes."""

from django.contrib.auth import get_user_model


def network_admin(email="root@network.example"):
    return get_user_model().objects.create_superuser(email=email, password="x", first_name="Net", last_name="Admin")


def _put(data, name, value):
    if value is None:
        return
    if isinstance(value, bool):
        if value:
            data[name] = "on"
        return
    if isinstance(value, (list, tuple)):
        data[name] = [str(item.pk if hasattr(item, "pk") else item) for item in value]
        return
    data[name] = str(value.pk if hasattr(value, "pk") else value)


def _form_values(form, data):
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        widget = bound.field.widget
        if hasattr(widget, "decompress") and not isinstance(value, (list, tuple)):
            for index, part in enumerate(widget.decompress(value)):
                _put(data, f"{bound.html_name}_{index}", part)
            continue
        if bound.field.__class__.__name__ == "JSONField":
            value = bound.field.prepare_value(value)
        _put(data, bound.html_name, value)


def page_data(response) -> dict:
    """The data an admin add/change page would post unchanged (the main form and its inlines)."""
    assert response.status_code == 200, response.status_code
    data = {}
    _form_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            _form_values(form, data)
    return data


def add_inline_row(data, prefix, **fields):
    """Adds one new row to the inline whose prefix is ``prefix``."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        _put(data, f"{prefix}-{index}-{name}", value)
    return index
