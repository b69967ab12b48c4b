from django import forms

from billing.models import MAX_EMAIL_LENGTH


class BmacEmailForm(forms.Form):
    email = forms.EmailField(
        label="Buy Me a Coffee email",
        max_length=MAX_EMAIL_LENGTH,
        help_text=(
            "The email you pay with on Buy Me a Coffee. We send it a confirmation link; "
            "payments made with it are applied once you follow the link."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
