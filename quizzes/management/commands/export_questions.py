"""Export questions as our JSON format, Moodle GIFT or Aiken.

    manage.py export_questions bank.json --exam CCNA --status active
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.importexport.common import FORMATS, format_for_filename
from quizzes.importexport.services import export_questions, filter_questions, left_out_of
from quizzes.models import Category, Exam, QuestionStatus


class Command(BaseCommand):
    help = "Export questions to a JSON, GIFT or Aiken file (or standard output)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="Output file (default: standard output).")
        parser.add_argument("--format", choices=FORMATS,
                            help="File format (default: from the extension, JSON for standard output).")
        parser.add_argument("--exam", metavar="CODE", help="Only questions of this exam.")
        parser.add_argument("--category", metavar="CODE", help="Only questions of this category.")
        parser.add_argument("--status", choices=QuestionStatus.values, help="Only questions with this status.")

    def handle(self, *args, path: str, format, exam, category, status, **options):
        format = format or (format_for_filename(path) if path != "-" else "json")
        if format is None:
            raise CommandError(f"Cannot tell the format of {path}: pass --format {'|'.join(FORMATS)}.")
        questions = filter_questions(
            exam=self.lookup(Exam, exam, "--exam"), category=self.lookup(Category, category, "--category"),
            status=status,
        )
        text = export_questions(questions, format=format)
        if path == "-":
            self.stdout.write(text, ending="")
        else:
            Path(path).write_text(text, encoding="utf-8")
        left_out = left_out_of(questions, format)
        if left_out:
            self.stderr.write(f"{left_out} question(s) left out: Aiken holds single-answer questions with at most "
                              "26 options.")
        if path != "-":
            self.stdout.write(f"{questions.count() - left_out} question(s) written to {path} ({format}).")

    @staticmethod
    def lookup(model, code, option):
        if code is None:
            return None
        row = model.objects.filter(code=code).first()
        if row is None:
            raise CommandError(f"{option}: no {model._meta.verbose_name} with the code {code!r}.")
        return row

