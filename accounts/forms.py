from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from accounts.time_zones import DEFAULT_TIME_ZONE, time_zone_names

# The longest value each text input of the account forms takes: a longer one is a form error, never a
# value sent to PostgreSQL (a 3,000-character username overflows its unique index's row).
TEXT_LIMITS = {
    "login": 254,
    "username": 150,
    "email": 254,
    "password": 256,
    "oldpassword": 256,
    "password1": 256,
    "password2": 256,
}


class LengthLimits:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            limit = TEXT_LIMITS.get(name)
            if limit and isinstance(field, forms.CharField):
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit))
                field.widget.attrs["maxlength"] = str(limit)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


class LoginForm(LengthLimits, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SignupForm(LengthLimits, allauth_forms.SignupForm):
    # Filled by static/js/timezone.js from the browser; anything unknown (or no JavaScript) is UTC.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def validate_unique_email(self, value) -> str:
        """An address that already has an account is not announced (that would tell anyone whose
        addresses have accounts): the form goes on as for a new one, and the address's owner gets an
        email instead (try_save). allauth does so itself only with mandatory email verification."""
        try:
            return super().validate_unique_email(value)
        except ValidationError as error:
            if getattr(error, "code", None) != "email_taken":
                raise
            self.account_already_exists = True
            return value

    def try_save(self, request):
        if not self.account_already_exists:
            return super().try_save(request)
        adapter = get_adapter(request)
        adapter.send_account_already_exists_mail(self.cleaned_data["email"])
        return None, adapter.respond_email_verification_sent(request, None)

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone", "")
        return value if value in time_zone_names() else DEFAULT_TIME_ZONE


class AddEmailForm(LengthLimits, allauth_forms.AddEmailForm):
    pass


class ChangePasswordForm(LengthLimits, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(LengthLimits, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordForm(LengthLimits, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(LengthLimits, allauth_forms.ResetPasswordKeyForm):
    pass


class ReauthenticateForm(LengthLimits, allauth_forms.ReauthenticateForm):
    pass


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Dates and times are shown in this time zone.",
    )
