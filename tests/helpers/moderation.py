"""Helpers of the moderation tests (plain functions and constants; the fixtures are in tests/moderation/conftest.py)."""

from django import forms


def field_data(bound_field):
    """What a browser would post for this field as rendered (None: nothing)."""
    field = bound_field.field
    if isinstance(field, forms.FileField):
        return None
    value = bound_field.value()
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return str(value)


def change_form_data(response, **changes):
    """The POST data of an admin change form exactly as the GET rendered it, main form and every inline
    (management forms included), with `changes` applied on top."""
    data = {}

    def add(form):
        for name in form.fields:
            value = field_data(form[name])
            if value is not None:
                data[form[name].html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# A 1×1 PNG and GIF (made with Pillow), so these tests run without Pillow too.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63382127070002b601"
    "0534a675aa0000000049454e44ae426082"
)
GIF_1PX = bytes.fromhex("47494638376101000100810000c81e1e0000000000000000002c000000000100010000080400010404003b")
