from django import forms

from quizzes.importexport.common import FORMATS, MAX_FILE_SIZE
from quizzes.models import Category, Exam, QuestionStatus

FORMAT_LABELS = {"json": "CertQuiz JSON", "gift": "Moodle GIFT", "aiken": "Aiken"}


class ImportForm(forms.Form):
    """Its ids start id_import_ (the export form on the same page has fields of the same names)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_import_%s")
        super().__init__(*args, **kwargs)

    file = forms.FileField(
        help_text=f"JSON, GIFT (.gift, .txt) or Aiken (.aiken, .aiken.txt), at most {MAX_FILE_SIZE // 2**20} MB."
    )
    format = forms.ChoiceField(
        choices=[("", "From the file name")] + [(f, FORMAT_LABELS[f]) for f in FORMATS], required=False
    )
    exam = forms.ModelChoiceField(
        Exam.objects.all(), required=False, to_field_name="code",
        help_text="For questions whose format names no exam (GIFT, Aiken).",
    )
    category = forms.ModelChoiceField(
        Category.objects.all(), required=False, to_field_name="code",
        help_text="For questions whose format names no category, and for GIFT $CATEGORY names that match none.",
    )
    status = forms.ChoiceField(
        choices=[(QuestionStatus.ACTIVE, "Active"), (QuestionStatus.PENDING, "Pending review")],
        initial=QuestionStatus.ACTIVE, help_text="For new questions whose file gives no status.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_SIZE // 1024 // 1024} MB."
            )
        return upload


class ExportForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_export_%s")
        super().__init__(*args, **kwargs)

    format = forms.ChoiceField(
        choices=[(f, FORMAT_LABELS[f]) for f in FORMATS], initial="json",
        help_text="JSON keeps every field. GIFT has no exams, images or premium flag; Aiken holds single-answer "
                  "questions only (the others are left out) and no explanation.",
    )
    exam = forms.ModelChoiceField(Exam.objects.all(), required=False, to_field_name="code", empty_label="All exams")
    category = forms.ModelChoiceField(
        Category.objects.all(), required=False, to_field_name="code", empty_label="All categories"
    )
    status = forms.ChoiceField(choices=[("", "Any status")] + list(QuestionStatus.choices), required=False)
