from allauth.account import forms as allauth_forms
from django import forms

from accounts.time_zones import DEFAULT_TIME_ZONE, time_zone_names


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SignupForm(allauth_forms.SignupForm):
    # Filled by static/js/timezone.js from the browser; anything unknown (or no JavaScript) is UTC.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone", "")
        return value if value in time_zone_names() else DEFAULT_TIME_ZONE


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Dates and times are shown in this time zone.",
    )
