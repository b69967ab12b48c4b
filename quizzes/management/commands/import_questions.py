"""Import a question bank: our JSON format, Moodle GIFT or Aiken, all or nothing.

    manage.py import_questions bank.gift --category OSPF --exam CCNA --dry-run
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from quizzes.importexport.common import FORMATS, ImportFileError, decode, format_for_filename
from quizzes.importexport.services import CHUNK, import_questions, parse_file
from quizzes.models import Category, Exam, QuestionStatus


class Command(BaseCommand):
    help = "Import questions from a JSON, GIFT or Aiken file in one transaction (a bad file imports nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=FORMATS,
                            help="File format (default: from the extension: .json, .gift/.txt, .aiken).")
        parser.add_argument("--exam", metavar="CODE", help="Exam for questions whose format names none.")
        parser.add_argument("--category", metavar="CODE",
                            help="Category for questions whose format names none, and for unknown GIFT $CATEGORY.")
        parser.add_argument("--status", choices=[QuestionStatus.ACTIVE, QuestionStatus.PENDING],
                            default=QuestionStatus.ACTIVE,
                            help="Status of new questions when the file gives none (default: active).")
        parser.add_argument("--user", metavar="USERNAME",
                            help="Who creates the questions (default: the first superuser).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything, then save nothing.")

    def handle(self, *args, path: Path, format, exam, category, status, user, dry_run, **options):
        format = format or format_for_filename(path.name)
        if format is None:
            raise CommandError(f"Cannot tell the format of {path.name}: pass --format {'|'.join(FORMATS)}.")
        try:
            parsed = parse_file(decode(path.read_bytes(), max_size=None), format)
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.") from None
        except ImportFileError as error:
            raise CommandError(f"{path} was not imported: {error}") from None

        report = import_questions(
            parsed=parsed,
            created_by=self.user(user),
            status=status,
            exam=self.lookup(Exam, exam, "--exam"),
            category=self.lookup(Category, category, "--category"),
            dry_run=dry_run,
            progress=self.progress if len(parsed.questions) > CHUNK else None,  # more than one batch
        )
        if not report.ok:
            raise CommandError(f"{path} was not imported, nothing was written:\n" + "\n".join(
                f"  {error}" for error in report.errors))
        self.stdout.write("\n".join(report.summary_lines()))

    def progress(self, done: int, total: int) -> None:
        self.stderr.write(f"Importing: {100 * done // total:3d}% ({done}/{total} questions)")
        self.stderr.flush()

    @staticmethod
    def user(username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("created_at", "id").first()
        if user is None:
            raise CommandError("There is no superuser to create the questions: pass --user USERNAME.")
        return user

    @staticmethod
    def lookup(model, code: str | None, option: str):
        if code is None:
            return None
        row = model.objects.filter(code=code).first()
        if row is None:
            known = ", ".join(model.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"{option}: no {model._meta.verbose_name} with the code {code!r} (known: {known}).")
        return row
