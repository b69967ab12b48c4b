"""Moodle's own GIFT examples: every supported question imported right, every other one reported."""

from pathlib import Path

import pytest

from quizzes.models import Question, QuestionType
from tests.helpers.importexport import options_of

pytestmark = pytest.mark.django_db

EXAMPLES = Path("/work/shared/fixtures/moodle-gift-examples.txt")
if not EXAMPLES.exists():  # a copy beside the tests, for a checkout without the shared folder
    EXAMPLES = Path(__file__).parent / "moodle-gift-examples.txt"

EXPECTED = {
    "Who's buried in Grant's tomb?": (QuestionType.SINGLE, [("Grant", False), ("Jefferson", False), ("no one", True)]),
    "Grant is _____ in Grant's tomb.": (QuestionType.SINGLE, [("buried", False), ("entombed", True), ("living", False)]),
    "Grant is buried in Grant's tomb.": (QuestionType.SINGLE, [("True", False), ("False", True)]),
    "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.": (
        QuestionType.SINGLE, [("second", False), ("third", False), ("fourth", True)]),
    "Japanese characters originally came from what country?": (
        QuestionType.SINGLE, [("India", False), ("China", True), ("Korea", False), ("Egypt", False)]),
    "The sun rises in the east.": (QuestionType.SINGLE, [("True", True), ("False", False)]),
    "What's the answer to this multiple-choice question?": (
        QuestionType.SINGLE, [("wrong answer", False), ("another wrong answer", False), ("right answer", True)]),
    "Difficult question.": (
        QuestionType.SINGLE, [("wrong answer", False), ("half credit answer", False), ("full credit answer", True)]),
    "Jesus Christ was from _____.": (
        QuestionType.SINGLE, [("Jerusalem", False), ("Bethlehem", False), ("Galilee", False), ("Nazareth", True)]),
    "What two people are entombed in Grant's tomb?": (
        QuestionType.MULTIPLE, [("No one", False), ("Grant", True), ("Grant's wife", True), ("Grant's father", False)]),
    "Which answer equals 5?": (QuestionType.SINGLE, [("= 2 + 2", False), ("= 2 + 3", True), ("= 2 + 4", False)]),
    "Which of the following is NOT a control character for the GIFT import format?": (
        QuestionType.SINGLE, [("~", False), ("=", False), ("#", False), ("{", False), ("}", False), ("\\", True)]),
    "Difficult multiple choice question.": (
        QuestionType.SINGLE, [("wrong answer", False), ("half credit answer", False), ("full credit answer", True)]),
}


@pytest.fixture
def report(run_import):
    return run_import(EXAMPLES.read_text(encoding="utf-8"), "gift")


def test_every_supported_question_is_imported_right(report):
    assert report.ok, report.errors
    questions = {q.question_text: (q.type, options_of(q)) for q in Question.objects.all()}
    assert questions == EXPECTED
    assert report.created == 13


def test_every_unsupported_question_is_reported_with_its_line(report):
    skipped = {(issue.line, issue.kind) for issue in report.skipped}
    assert skipped == {
        (14, "short answer"), (43, "short answer"), (45, "short answer"), (90, "short answer"),
        (103, "short answer"), (108, "short answer"), (123, "short answer"), (173, "short answer"),
        (195, "short answer"),
        (16, "numerical"), (70, "numerical"), (72, "numerical"), (74, "numerical"), (76, "numerical"),
        (85, "numerical"), (175, "numerical"), (202, "numerical"),
        (55, "matching"), (61, "matching"), (177, "matching"),
    }


def test_repeated_questions_are_imported_once_and_reported_as_duplicates(report):
    assert sorted(issue.line for issue in report.duplicates) == [25, 27, 49, 93, 113, 136, 167, 169, 171, 184]


def test_partial_credit_is_reported(report):
    partial = [str(w) for w in report.warnings if "partial credit" in w.message]
    assert partial == [
        'line 115: "Difficult question.": "half credit answer" had 50% partial credit; imported as a wrong '
        "option (CertQuiz scores a question all or nothing).",
        'line 117: "Jesus\' hometown": "Bethlehem" had 25% partial credit; imported as a wrong option '
        "(CertQuiz scores a question all or nothing).",
        'line 117: "Jesus\' hometown": "Galilee" had 50% partial credit; imported as a wrong option '
        "(CertQuiz scores a question all or nothing).",
        'line 190: "Difficult multiple choice question.": "half credit answer" had 50% partial credit; '
        "imported as a wrong option (CertQuiz scores a question all or nothing).",
    ]


def test_feedback_is_the_explanation(report):
    assert Question.objects.get(question_text="Jesus Christ was from _____.").explanation == "Yes! That's right!"
    control = Question.objects.get(question_text__startswith="Which of the following is NOT")
    assert control.explanation.startswith("Correct! \\ (backslash) is not a control character.")


def test_importing_the_examples_twice_adds_nothing(report, run_import):
    again = run_import(EXAMPLES.read_text(encoding="utf-8"), "gift")

    assert again.ok and again.created == 0 and len(again.duplicates) == 23
    assert Question.objects.count() == 13
