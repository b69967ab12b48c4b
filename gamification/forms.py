from django import forms
from django.core.validators import RegexValidator

from gamification.models import LeaderboardProfile

display_name_characters = RegexValidator(
    r"^[\w][\w .'-]*$", "Use letters, digits, spaces, dots, apostrophes, hyphens and underscores."
)


class LeaderboardForm(forms.Form):
    show_me = forms.BooleanField(required=False, label="Show me on the weekly leaderboard")
    display_name = forms.CharField(
        required=False,
        min_length=3,
        max_length=30,
        strip=True,
        validators=[display_name_characters],
        label="Public name",
        help_text="Shown to everyone instead of your username. 3 to 30 characters.",
    )

    def __init__(self, *args, learner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.learner = learner

    def clean(self):
        data = super().clean()
        name = data.get("display_name")
        if data.get("show_me") and not name and "display_name" not in self.errors:
            self.add_error("display_name", "Choose a public name to appear on the leaderboard.")
        elif data.get("show_me") and name:
            taken = LeaderboardProfile.objects.filter(display_name__iexact=name).exclude(user=self.learner)
            if taken.exists():
                self.add_error("display_name", "Another learner already uses this name.")
        return data

    @property
    def chosen_name(self) -> str | None:
        """The public name to show, or None to stay hidden."""
        return self.cleaned_data["display_name"] if self.cleaned_data.get("show_me") else None
