import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.factories import UserFactory
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import Question, QuestionStatus, QuestionType

pytestmark = pytest.mark.django_db

GIFT = "$CATEGORY: ospf\n\nWhat is OSPF's administrative distance?{=110 ~90 ~120}\n\nWhen?{#1822}\n"


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def gift_file(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    return path


def test_import_reads_the_format_from_the_extension_and_applies_the_defaults(gift_file, admin_user):
    exam, category = ExamFactory(code="CCNA"), CategoryFactory(code="OSPF")

    out, _ = run("import_questions", str(gift_file), "--exam", "CCNA")

    question = Question.objects.get()
    assert list(question.exams.all()) == [exam] and list(question.categories.all()) == [category]
    assert question.created_by == admin_user and question.status == QuestionStatus.ACTIVE
    assert ("1 question(s) read: 1 created, 0 updated, 0 unchanged, 0 duplicate(s) not imported, 0 answer key(s) "
            "changed, 0 conflict(s) not imported.") in out
    assert "1 skipped (not supported): 1 numerical." in out
    assert "line 5: \"When?\": numerical question (not supported)." in out


def test_import_as_a_named_user_with_pending_status(gift_file):
    CategoryFactory(code="OSPF")
    editor = UserFactory(username="editor", role="admin")

    run("import_questions", str(gift_file), "--user", "editor", "--status", "pending")

    question = Question.objects.get()
    assert question.created_by == editor and question.status == QuestionStatus.PENDING


def test_a_dry_run_writes_nothing(gift_file, admin_user):
    CategoryFactory(code="OSPF")

    out, _ = run("import_questions", str(gift_file), "--dry-run")

    assert out.startswith("Dry run: nothing was saved.\n1 question(s) read: 1 to create,")
    assert not Question.objects.exists()


def test_a_broken_file_fails_naming_the_line_and_writes_nothing(tmp_path, admin_user):
    path = tmp_path / "broken.txt"
    path.write_text("Fine?{=a ~b}\n\nBroken?{=a ~b\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"nothing was written:\n  line 3: unbalanced braces"):
        run("import_questions", str(path))
    assert not Question.objects.exists()


def test_an_unknown_default_exam_is_refused(gift_file, admin_user):
    with pytest.raises(CommandError, match="--exam: no exam with the code 'CCIE'"):
        run("import_questions", str(gift_file), "--exam", "CCIE")


def test_an_unknown_extension_needs_format(tmp_path, admin_user):
    path = tmp_path / "bank.xml"
    path.write_text("Q?{=a ~b}", encoding="utf-8")

    with pytest.raises(CommandError, match="--format"):
        run("import_questions", str(path))
    run("import_questions", str(path), "--format", "gift")
    assert Question.objects.count() == 1


def test_a_large_file_shows_progress_on_stderr(tmp_path, admin_user):
    path = tmp_path / "bank.aiken"
    path.write_text("".join(f"Question {n}?\nA) yes\nB) no\nANSWER: A\n\n" for n in range(450)), encoding="utf-8")

    out, err = run("import_questions", str(path))

    assert err.splitlines() == [
        "Importing:  44% (200/450 questions)",
        "Importing:  88% (400/450 questions)",
        "Importing: 100% (450/450 questions)",
    ]
    assert Question.objects.count() == 450 and "450 created" in out


def test_export_writes_a_file_in_the_format_of_its_extension_with_filters(tmp_path):
    exam = ExamFactory(code="CCNA")
    QuestionFactory(question_text="In CCNA?", exams=[exam])
    QuestionFactory(question_text="Pending in CCNA?", exams=[exam], status=QuestionStatus.PENDING)
    QuestionFactory(question_text="Elsewhere?")
    path = tmp_path / "ccna.gift"

    out, _ = run("export_questions", str(path), "--exam", "CCNA", "--status", "active")

    assert out.strip() == f"1 question(s) written to {path} (gift)."
    assert "In CCNA?" in path.read_text() and "Elsewhere?" not in path.read_text()


def test_export_to_standard_output_is_json():
    QuestionFactory(question_text="Q?")

    out, _ = run("export_questions")

    assert [q["question_text"] for q in json.loads(out)["questions"]] == ["Q?"]


def test_aiken_export_says_which_questions_it_leaves_out(tmp_path):
    QuestionFactory(type=QuestionType.MULTIPLE)
    QuestionFactory()

    out, err = run("export_questions", str(tmp_path / "bank.aiken.txt"))

    assert "1 question(s) left out" in err and "1 question(s) written" in out
