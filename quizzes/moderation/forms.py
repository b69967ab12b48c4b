"""Forms of the moderation flows: reporting a problem, submitting a question, resolving a report.
They validate; the services in quizzes.moderation.services write."""

from django import forms
from django.core.exceptions import ValidationError

from quizzes.moderation import services
from quizzes.models import Category, Exam, QuestionType, ReportStatus, ReportType

MAX_DESCRIPTION_LENGTH = 2000
MAX_COMMENT_LENGTH = 2000
MAX_TEXT_LENGTH = 5000
MAX_OPTION_LENGTH = 1000
MAX_TAG_LENGTH = 50


class TagsField(forms.Field):
    """The questions.tags array edited as comma-separated text: "OSPF, lsa types" -> ["ospf", "lsa types"]."""

    widget = forms.TextInput

    def __init__(self, *, max_tags: int = 10, **kwargs):
        self.max_tags = max_tags
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated, e.g. ospf, subnetting.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return services.normalize_tags(value)
        return services.normalize_tags((value or "").split(","))

    def validate(self, value):
        super().validate(value)
        if len(value) > self.max_tags:
            raise ValidationError(f"Use at most {self.max_tags} tags.")
        if any(len(tag) > MAX_TAG_LENGTH for tag in value):
            raise ValidationError(f"A tag is at most {MAX_TAG_LENGTH} characters long.")


REPORT_TYPE_CHOICES = [
    (ReportType.ERROR, "Error: an answer or the explanation is wrong"),
    (ReportType.UNCLEAR, "Unclear: the question or an option can be read more than one way"),
    (ReportType.OUTDATED, "Outdated: no longer true for the current exam or software"),
]


class ReportProblemForm(forms.Form):
    type = forms.ChoiceField(label="What is wrong?", choices=REPORT_TYPE_CHOICES, widget=forms.RadioSelect)
    description = forms.CharField(
        label="Description",
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"What should change, and why? At most {MAX_DESCRIPTION_LENGTH} characters.",
    )


class QuestionSubmissionForm(forms.Form):
    question_text = forms.CharField(
        label="Question",
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown works: **bold**, `show ip route`, and code blocks between ``` lines.",
    )
    type = forms.ChoiceField(
        label="Answers",
        choices=[(QuestionType.SINGLE, "One correct answer"), (QuestionType.MULTIPLE, "Several correct answers")],
        widget=forms.RadioSelect,
        initial=QuestionType.SINGLE,
    )
    explanation = forms.CharField(
        label="Explanation",
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why the correct answers are right. Learners read it after answering.",
    )
    exams = forms.ModelMultipleChoiceField(
        label="Exams", queryset=Exam.objects.active(), widget=forms.CheckboxSelectMultiple
    )
    categories = forms.ModelMultipleChoiceField(
        label="Categories", queryset=Category.objects.active(), widget=forms.CheckboxSelectMultiple, required=False
    )
    tags = TagsField(label="Tags", max_tags=10)


class OptionForm(forms.Form):
    text = forms.CharField(required=False, max_length=MAX_OPTION_LENGTH)
    is_correct = forms.BooleanField(required=False, label="Correct")


class BaseOptionFormSet(forms.BaseFormSet):
    """Up to eight option rows; blank rows are ignored. Knows the question type to check the rules."""

    def __init__(self, *args, question_type=None, **kwargs):
        self.question_type = question_type
        self.options = []
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        number = "" if index is None else f" {index + 1}"
        form.fields["text"].label = f"Option{number}"

    def clean(self):
        if any(self.errors):
            return
        options = []
        for form in self.forms:
            text = (form.cleaned_data.get("text") or "").strip()
            is_correct = form.cleaned_data.get("is_correct", False)
            if not text:
                if is_correct:
                    form.add_error("text", "Write this correct option's text, or untick it.")
                continue
            options.append((text, is_correct))
        errors = services.option_rule_errors(
            self.question_type, options, max_options=services.MAX_SUBMITTED_OPTIONS
        )
        if errors:
            raise ValidationError(errors)
        self.options = options


OptionFormSet = forms.formset_factory(
    OptionForm,
    formset=BaseOptionFormSet,
    extra=services.MAX_SUBMITTED_OPTIONS,
    max_num=services.MAX_SUBMITTED_OPTIONS,
    absolute_max=services.MAX_SUBMITTED_OPTIONS,
    validate_max=True,
)


class ResolveReportForm(forms.Form):
    """The admin's decision on a report; `decision` comes from the Accept or Reject button pressed."""

    report = forms.UUIDField(widget=forms.HiddenInput)
    admin_comment = forms.CharField(
        label="Comment to the learner",
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required to reject. The learner reads it on “My reports”.",
    )
    decision = forms.ChoiceField(choices=[(ReportStatus.ACCEPTED, "Accept"), (ReportStatus.REJECTED, "Reject")])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == ReportStatus.REJECTED and not cleaned.get("admin_comment", "").strip():
            self.add_error("admin_comment", "Say why the report is rejected: the learner reads this comment.")
        return cleaned
