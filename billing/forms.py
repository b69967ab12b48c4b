from django import forms

from billing import services
from billing.models import normalize_email


class BmacEmailForm(forms.Form):
    email = forms.EmailField(
        label="Buy Me a Coffee email",
        help_text="The email you pay with on Buy Me a Coffee, so we can match your payments to this account.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if services.bmac_email_is_taken(email, user=self.user):
            raise forms.ValidationError(
                "This email is already linked to another CertQuiz account. Use another one, or contact us if it is yours."
            )
        return email
