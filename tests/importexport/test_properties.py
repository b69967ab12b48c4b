"""Property-based tests: no input makes a parser or the importer fail with anything but our own
ImportFileError, nothing half-written survives a refused file, and exports read back the same."""

import json
import uuid

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.importexport import aiken, gift
from quizzes.importexport.common import ImportFileError, question_problems
from quizzes.importexport.services import import_questions, parse_file
from quizzes.models import (
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionHistory,
    QuestionOption,
    QuestionType,
    QuizSession,
    SessionQuestion,
    SessionSelectedOption,
)

KNOWN_ID = "6f1c2a9e-8d4b-4c1e-9a57-0d2b7c3e5f10"  # a question the database tests create
# How many examples comes from the hypothesis profile (tests/conftest.py): quick in the everyday loop,
# thorough in scripts/test.
FAST = settings(deadline=None)
WITH_DB = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any character, lone surrogates and NUL included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


def mostly(valid, invalid, weight: int = 6):
    """`valid` about `weight` times in `weight + 1`: broken input, but mostly well-formed files."""
    return st.integers(0, weight).flatmap(lambda pick: valid if pick else invalid)


# GIFT: well-formed questions, questions with broken pieces, and loose GIFT tokens.
gift_token = st.sampled_from([
    "{", "}", "=", "~", "#", "####", "%50%", "%-25%", "%100%", "->", "::", "\\", "\\n", "\n", "\n\n", "//",
    "// [tag:x]", "[html]", "[markdown]", "$CATEGORY: ", "$course$/top/", "T", "FALSE", " ", "a", "b", "Q?",
    "<script>", "</script>", "<b>", ":", "%", "_", "\r\n",
    "[plain]", "[moodle]", "[PLAIN]", "=[plain]x", "~[html]<i>y</i>", "#[html]<p>f</p>", "####[markdown]**g**",
    "<a href='http://x'>l</a>", "<img src=https://x/p.png onerror=x>", "&lt;ip&gt;", "<audio src=x>", "<table><td>",
    "::unclosed ", "x" * 2001,
]) | any_text
gift_answer = st.tuples(
    st.sampled_from(["=", "~", "~%50%", "~%-50%", "=%50%", "~%100%", "~%33.3%"]),
    mostly(st.sampled_from(["a", "b", "c", "d", "\\{x\\}", "e#why", "f #because\\: yes"]), gift_token, 4),
).map("".join)
gift_question = st.tuples(
    st.sampled_from(["", "::Title::", "[html]", "[markdown]", "[plain]", "// [tag:Ospf]\n", "$CATEGORY: ospf\n\n",
                     "$CATEGORY: $course$/top/Nowhere\n\n", "::T::[html]", "::Unclosed ", "::T::[moodle]"]),
    mostly(st.sampled_from(["Q?", "Grant is ", "<b>Bold</b> <script>x()</script>?", "Line\nwrapped?"]), gift_token, 4),
    st.lists(gift_answer, min_size=1, max_size=4).map(" ".join) | st.sampled_from(["T", "FALSE#no#yes", "", "#1"]),
    st.sampled_from(["", " end.", " ####General.", "\n"]),
).map(lambda p: f"{p[0]}{p[1]}{{{p[2]}}}{p[3]}" if "####" not in p[3] else f"{p[0]}{p[1]}{{{p[2]}{p[3]}}}")
gift_text = st.lists(mostly(gift_question, st.lists(gift_token, max_size=12).map("".join), 6), max_size=5).map(
    "\n\n".join)

# Aiken: well-formed questions and stray lines.
aiken_question = st.tuples(
    st.sampled_from(["Q?", "What is OSPF?\nSecond line?", "<script>x</script>Safe?"]),
    st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4, unique=True),
    st.sampled_from([")", "."]),
    st.sampled_from("ABCZ") | st.sampled_from(["A, B", "", "a"]),
).map(lambda p: "\n".join([p[0], *(f"{letter}{p[2]} option {letter}" for letter in p[1]), f"ANSWER: {p[3]}"]))
aiken_line = st.sampled_from(["Q?", "A) a", "B) b", "ANSWER: A", "ANSWER:", "", "a) x", "D)", "A)tight", "B.tight",
                              "C)<b>x</b>"]) | any_text
aiken_text = st.lists(mostly(aiken_question, aiken_line, 3), max_size=6).map("\n".join)

# JSON: documents of the format, mostly well-formed, some cut short, and any text at all.
scalar = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | any_text
codes = st.sampled_from(["CCNA", "OSPF", "NEW"]) | st.sampled_from(["x" * 101, "UNKNOWN"]) | any_text
valid_options = st.lists(st.tuples(st.sampled_from("abcd"), st.booleans()), min_size=2, max_size=4,
                         unique_by=lambda pair: pair[0]).map(
    lambda pairs: [{"text": text, "is_correct": correct} for text, correct in pairs])
option = st.fixed_dictionaries(
    {"text": st.sampled_from(["a", "b", "c", " "]) | scalar, "is_correct": st.booleans() | scalar},
    optional={"display_order": st.integers(-(2**33), 2**33) | scalar, "extra": scalar},
)
question = st.fixed_dictionaries(
    {
        "question_text": mostly(st.sampled_from(["Q?", "Other?", "Third?"]), any_text | scalar),
        "type": mostly(st.sampled_from(["single", "multiple"]), scalar | st.just("essay")),
        "options": mostly(valid_options, st.lists(option, max_size=4) | scalar, 3),
    },
    optional={
        "id": mostly(st.sampled_from([KNOWN_ID]) | st.uuids().map(str), scalar),
        "explanation": mostly(st.just("Because."), any_text | scalar),
        "detailed_explanation": mostly(st.none() | st.just("More."), any_text | scalar),
        "tags": mostly(st.lists(st.sampled_from(["ospf", "bgp"]), max_size=2), st.lists(any_text | scalar) | scalar),
        "images": mostly(st.lists(st.just("a.png"), max_size=1) | st.none(), st.lists(any_text) | scalar),
        "exams": mostly(st.lists(st.sampled_from(["CCNA", "NEW"]), max_size=2), st.lists(codes) | scalar),
        "categories": mostly(st.lists(st.just("OSPF"), max_size=1), st.lists(codes) | scalar),
        "status": mostly(st.sampled_from(["active", "pending", "archived"]), st.just("deleted") | scalar),
        "version": mostly(st.integers(1, 9), st.integers(-1, 2**32) | scalar),
        "is_premium": mostly(st.booleans(), scalar),
        "is_user_generated": mostly(st.booleans(), scalar),
        "created_by_name": mostly(st.none() | st.just("Alice"), scalar),
        "text_format": mostly(st.sampled_from(["markdown", "plain", "html"]), scalar),
        "title": mostly(st.just("Short title"), scalar),
    },
)
catalogue = st.lists(
    st.fixed_dictionaries({"code": mostly(st.sampled_from(["NEW", "CCNA"]), codes | scalar),
                           "name": mostly(st.just("Name"), scalar)},
                          optional={"display_order": mostly(st.integers(0, 9), st.integers(-(2**33), 2**33) | scalar),
                                    "is_active": mostly(st.booleans(), scalar),
                                    "description": mostly(st.just("About."), scalar)}),
    max_size=2,
)
document = st.fixed_dictionaries(
    {"questions": mostly(st.lists(question, max_size=4), scalar, 8)},
    optional={"exams": mostly(catalogue, scalar), "categories": mostly(catalogue, scalar),
              "format": mostly(st.just("certquiz-questions"), scalar), "version": mostly(st.just(1), scalar)},
)


@st.composite
def valid_question(draw):
    question_type = draw(st.sampled_from(["single", "multiple"]))
    texts = draw(st.lists(st.sampled_from("abcde"), min_size=3, max_size=5, unique=True))
    correct = 1 if question_type == "single" else draw(st.integers(2, len(texts) - 1))
    flags = draw(st.permutations([True] * correct + [False] * (len(texts) - correct)))
    extra = draw(st.fixed_dictionaries({}, optional={
        "id": st.sampled_from([KNOWN_ID]) | st.uuids().map(str),
        "explanation": st.just("Because."),
        "tags": st.lists(st.sampled_from(["ospf", "bgp"]), max_size=2),
        "exams": st.lists(st.sampled_from(["CCNA", "NEW"]), max_size=2),
        "categories": st.lists(st.just("OSPF"), max_size=1),
        "status": st.sampled_from(["active", "pending", "archived"]),
        "version": st.integers(1, 9),
        "images": st.none() | st.lists(st.just("a.png"), max_size=1),
    }))
    return {
        "question_text": draw(st.sampled_from(["Q?", "Other?", "Third?"])),
        "type": question_type,
        "options": [{"text": text, "is_correct": flag} for text, flag in zip(texts, flags)],
        **extra,
    }


valid_document = st.fixed_dictionaries(
    {"questions": st.lists(valid_question(), max_size=4)},
    optional={"exams": st.just([{"code": "NEW", "name": "New exam"}])},
)
json_text = mostly(
    valid_document.map(json.dumps),
    document.map(json.dumps)
    | st.tuples(document.map(json.dumps), st.integers(0, 400)).map(lambda pair: pair[0][: pair[1]])
    | any_text,
    2,
)


def parse_or_refuse(text: str, file_format: str):
    try:
        return parse_file(text, file_format)
    except ImportFileError:
        return None


@FAST
@given(text=gift_text)
def test_the_gift_parser_never_crashes_and_returns_only_valid_questions(text):
    parsed = parse_or_refuse(text, "gift")
    if parsed is not None:
        assert all(not question_problems(q) for q in parsed.questions)


@FAST
@given(text=aiken_text)
def test_the_aiken_parser_never_crashes_and_returns_only_valid_questions(text):
    parsed = parse_or_refuse(text, "aiken")
    if parsed is not None:
        assert all(not question_problems(q) and q.type == QuestionType.SINGLE for q in parsed.questions)


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (
        Question, QuestionOption, QuestionExam, QuestionCategory, QuestionHistory))


def assert_all_or_nothing(text: str, file_format: str, user) -> None:
    """Import inside a savepoint that is rolled back afterwards, so examples do not add up."""
    with transaction.atomic():
        before = counts()
        parsed = parse_or_refuse(text, file_format)
        if parsed is not None:
            report = import_questions(parsed=parsed, created_by=user)
            assert not any("database refused" in str(error) for error in report.errors), report.errors
            if report.errors:
                assert counts() == before
            else:
                assert counts()[0] == before[0] + report.created
                for q in Question.objects.prefetch_related("options"):
                    correct = sum(o.is_correct for o in q.options.all())
                    wrong = len(q.options.all()) - correct
                    assert wrong >= 1 and (correct == 1 if q.type == QuestionType.SINGLE else correct >= 2)
        transaction.set_rollback(True)


@pytest.fixture
def catalogue_rows(staff):
    """What the generated files refer to: an exam, a category, and a question with a known id
    whose last option a learner has chosen (so an update that drops it must import nothing)."""
    ExamFactory(code="CCNA")
    CategoryFactory(code="OSPF")
    question = QuestionFactory(id=uuid.UUID(KNOWN_ID), question_text="Q?")
    session = QuizSession.objects.create(user=staff, question_count=1)
    SessionQuestion.objects.create(session=session, question=question, question_order=0)
    SessionSelectedOption.objects.create(session=session, question=question, option=question.options.last())


@pytest.mark.django_db
@WITH_DB
@given(text=json_text)
def test_the_json_importer_writes_everything_or_nothing(staff, catalogue_rows, text):
    assert_all_or_nothing(text, "json", staff)


@pytest.mark.django_db
@WITH_DB
@given(text=gift_text)
def test_the_gift_importer_writes_everything_or_nothing(staff, catalogue_rows, text):
    assert_all_or_nothing(text, "gift", staff)


@pytest.mark.django_db
@WITH_DB
@given(text=aiken_text)
def test_the_aiken_importer_writes_everything_or_nothing(staff, text):
    assert_all_or_nothing(text, "aiken", staff)


# Round trips: what an export writes, the parser reads back the same.

line = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs")), min_size=1, max_size=8)
words = st.lists(line, min_size=1, max_size=4).map(" ".join)


@st.composite
def records(draw):
    question_type = draw(st.sampled_from([QuestionType.SINGLE, QuestionType.MULTIPLE]))
    texts = draw(st.lists(words, min_size=3, max_size=6, unique_by=lambda t: t))
    correct = 1 if question_type == QuestionType.SINGLE else draw(st.integers(2, len(texts) - 1))
    flags = draw(st.permutations([True] * correct + [False] * (len(texts) - correct)))
    return {
        "question_text": draw(st.lists(words, min_size=1, max_size=3).map("\n".join)),
        "type": question_type,
        "explanation": draw(st.lists(words, min_size=1, max_size=3).map("\n\n".join)),
        "tags": draw(st.lists(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), max_size=3, unique=True)),
        "categories": draw(st.lists(st.from_regex(r"[A-Z_]{1,10}", fullmatch=True), max_size=1)),
        "options": [{"text": t, "is_correct": f, "display_order": i} for i, (t, f) in enumerate(zip(texts, flags))],
    }


def no_gift_surprises(record) -> bool:
    """Texts GIFT cannot carry: a leading %N% reads as a weight, and <script> is never imported."""
    texts = [record["question_text"], record["explanation"]] + [o["text"] for o in record["options"]]
    return not any("<" in text for text in texts) and not any(
        gift.WEIGHT.match(o["text"]) for o in record["options"])


@FAST
@given(record=records())
def test_a_gift_export_reads_back_the_same(record):
    assume(no_gift_surprises(record))

    parsed = gift.parse(gift.export([record]))

    assert not parsed.errors and not parsed.skipped
    (question,) = parsed.questions
    assert question.text == record["question_text"] and question.type == record["type"]
    assert [(o.text, o.is_correct) for o in question.options] == [
        (o["text"], o["is_correct"]) for o in record["options"]]
    assert question.explanation == record["explanation"]
    assert question.tags == record["tags"] and (question.categories or []) == record["categories"]


@FAST
@given(record=records())
def test_an_aiken_export_reads_back_the_same(record):
    assume(record["type"] == QuestionType.SINGLE and "<" not in str(record))
    assume(not aiken.ANSWER.match(" ".join(record["question_text"].split())))

    parsed = aiken.parse(aiken.export([record]))

    assert not parsed.errors
    (question,) = parsed.questions
    assert question.text == " ".join(record["question_text"].split())
    assert [(o.text, o.is_correct) for o in question.options] == [
        (o["text"], o["is_correct"]) for o in record["options"]]
