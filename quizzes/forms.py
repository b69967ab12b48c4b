from django import forms

from quizzes.models import Category, Exam, QuizMode
from quizzes.services import MAX_QUESTIONS_PER_SESSION

MAX_TAGS = 10


class StartQuizForm(forms.Form):
    exam = forms.ModelChoiceField(
        queryset=Exam.objects.active(), required=False, empty_label="Any exam", to_field_name="code"
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.active(), required=False, empty_label="Any category", to_field_name="code"
    )
    tags = forms.CharField(
        required=False,
        max_length=300,
        help_text="Optional, comma-separated, e.g. ospf, subnetting. A question matches if it has any of them.",
    )
    count = forms.IntegerField(
        label="Number of questions", min_value=1, max_value=MAX_QUESTIONS_PER_SESSION, initial=10
    )
    mode = forms.ChoiceField(choices=QuizMode.choices, initial=QuizMode.PRACTICE, widget=forms.RadioSelect)
    time_limit_minutes = forms.IntegerField(
        label="Time limit (minutes)",
        required=False,
        min_value=1,
        max_value=300,
        help_text="Exam mode only. Leave empty for no limit.",
    )

    def clean_tags(self):
        tags = [tag.strip().lower() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        if any(len(tag) > 50 for tag in tags):
            raise forms.ValidationError("A tag is at most 50 characters long.")
        return tags

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("time_limit_minutes") and cleaned.get("mode") != QuizMode.EXAM:
            self.add_error("time_limit_minutes", "A time limit applies to exam mode only.")
        return cleaned
