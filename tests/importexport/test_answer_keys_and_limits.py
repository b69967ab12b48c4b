"""Duplicates compare the answer key; limits are checked before the database; a database error
is named by its line; everything or nothing is written."""

import pytest
from django.db import connection

from quizzes.importexport.services import import_questions, parse_file
from quizzes.models import Question, QuestionHistory

pytestmark = pytest.mark.django_db

WRONG_KEY = "::ACL port::Which port does HTTPS use?{=80 ~443 ~22}"
FIXED_KEY = "::ACL port::Which port does HTTPS use?{~80 =443 ~22}"


def key_of(question):
    return sorted(o.text for o in question.options.all() if o.is_correct)


def test_a_corrected_key_updates_the_question_with_a_new_version(run_import, staff):
    run_import(WRONG_KEY, "gift")
    chosen_options = set(Question.objects.get().options.values_list("pk", flat=True))

    report = run_import("\n\n" + FIXED_KEY, "gift")

    question = Question.objects.get()
    assert key_of(question) == ["443"] and question.version == 2
    assert set(question.options.values_list("pk", flat=True)) == chosen_options  # learners' answers keep their rows
    (change,) = report.key_changes
    assert change.line == 3 and "answer key changed" in change.message and '"80" → "443"' in change.message
    history = QuestionHistory.objects.get(question=question)
    assert history.version == 2 and history.edited_by == staff and history.changes["answer_key_changed"] is True
    assert report.updated == 1 and report.created == 0 and not report.duplicates


def test_the_same_key_again_is_a_duplicate(run_import):
    run_import(WRONG_KEY, "gift")

    report = run_import(WRONG_KEY, "gift")

    assert len(report.duplicates) == 1 and not report.key_changes and Question.objects.get().version == 1


def test_a_key_change_by_someone_not_staff_is_a_conflict(run_import, learner):
    run_import(WRONG_KEY, "gift")

    report = run_import(FIXED_KEY, "gift", created_by=learner)

    (conflict,) = report.conflicts
    assert conflict.line == 1 and "another answer key" in conflict.message
    assert key_of(Question.objects.get()) == ["80"] and not QuestionHistory.objects.exists()


def test_a_dry_run_reports_the_key_change_and_changes_nothing(run_import):
    run_import(WRONG_KEY, "gift")

    report = run_import(FIXED_KEY, "gift", dry_run=True)

    assert len(report.key_changes) == 1 and key_of(Question.objects.get()) == ["80"]


def test_within_one_file_the_later_question_wins_with_a_warning(run_import):
    report = run_import("Is the sky green?{T}\n\nIs the sky green?{F}", "gift")

    question = Question.objects.get()
    assert key_of(question) == ["False"]
    (warning,) = [w for w in report.warnings if "later one is imported" in w.message]
    assert warning.line == 3 and "line 1" in warning.message


@pytest.mark.parametrize("text, line, message", [
    ("Q?{=a ~b}\n\n// [tag:" + "x" * 101 + "]\nQ2?{=a ~b}", 4, "tag is longer than 100"),
    ("Q?{=a ~b}\n\n" + "".join(f"// [tag:t{i}]\n" for i in range(31)) + "Q2?{=a ~b}", 34, "31 tags"),
    ("Q?{=a ~b}\n\n" + "".join(f"// [tag:{'é' * 99}{i}]\n" for i in range(12)) + "Q2?{=a ~b}", 15, "bytes"),
    ("Q?{=a ~b}\n\n" + "x" * 20_001 + "{=a ~b}", 3, "20,000"),
    ("Q?{=a ~b}\n\nQ2?{=a ~b ~c ~d ~e ~f ~g}", 3, "2 to 6 options"),
    ("Q?{=a ~b}\n\nQ2?{=" + "a" * 2_001 + " ~b}", 3, "2,000"),
])
def test_limits_are_line_numbered_errors_and_nothing_is_written(run_import, text, line, message):
    report = run_import(text, "gift")

    assert not report.ok and Question.objects.count() == 0
    assert report.errors[0].line == line and message in report.errors[0].message


def test_a_megabyte_question_is_an_error_not_a_traceback(run_import):
    report = run_import("x" * 1_000_000 + "{=a ~b}", "gift")

    assert [e.line for e in report.errors] == [1] and Question.objects.count() == 0


def test_a_database_error_is_reported_on_its_line_and_nothing_is_written(staff):
    with connection.cursor() as cursor:  # a rule the parsers do not know of
        cursor.execute("ALTER TABLE questions ADD CONSTRAINT test_no_forbidden CHECK (question_text <> 'Forbidden?')")
    parsed = parse_file("Fine?{=a ~b}\n\nAlso fine?{=a ~b}\n\nForbidden?{=a ~b}", "gift")

    report = import_questions(parsed=parsed, created_by=staff)

    (error,) = report.errors
    assert error.line == 5 and "database refused" in error.message and "test_no_forbidden" in error.message
    assert Question.objects.count() == 0
