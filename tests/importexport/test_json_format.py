import json
import uuid

import pytest
from django.core.management import call_command

from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.importexport.common import PLACEHOLDER_EXPLANATION, ImportFileError
from quizzes.importexport.json_format import parse
from quizzes.importexport.services import export_questions
from quizzes.models import (
    Category,
    Exam,
    Question,
    QuestionHistory,
    QuestionOption,
    QuestionStatus,
    QuizSession,
    SessionQuestion,
    SessionSelectedOption,
)
from quizzes.moderation.services import restore_version
from tests.helpers.importexport import bank, options_of

pytestmark = pytest.mark.django_db


def one_question(**fields) -> dict:
    question = {
        "question_text": "Which protocol does OSPF run over?",
        "type": "single",
        "explanation": "OSPF is IP protocol 89.",
        "options": [{"text": "IP protocol 89", "is_correct": True}, {"text": "TCP port 179", "is_correct": False}],
    }
    return {**question, **fields}


def as_file(*questions, **top_level) -> str:
    return json.dumps({"questions": list(questions), **top_level}, indent=2)


def test_an_export_of_the_demo_bank_imports_into_an_empty_bank_unchanged(run_import):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))
    before = bank()
    exported = export_questions(Question.objects.all(), format="json")
    QuestionOption.objects.all().delete()
    Question.objects.all().delete()
    assert not Question.objects.exists()

    report = run_import(exported, "json")

    assert report.ok, report.errors
    assert report.created == len(before) > 50
    assert bank() == before


def test_every_field_round_trips_exactly(run_import, staff):
    exam, category = ExamFactory(code="CCNA"), CategoryFactory(code="OSPF")
    question = QuestionFactory(
        question_text="Line one\n\n  indented `code`", type="multiple", options__correct=2, exams=[exam],
        categories=[category], explanation="Why.", detailed_explanation="More *why*.", tags=["ospf", "lsa"],
        images=["questions/topology.png"], is_premium=True, status=QuestionStatus.PENDING,
        created_by_name="Alice L.", is_user_generated=True, version=7,
    )
    QuestionOption.objects.filter(question=question, display_order=3).update(display_order=30)
    QuestionFactory(question_text="No images at all", images=None, detailed_explanation=None)
    exported = export_questions(Question.objects.all())
    before, ids = bank(), set(Question.objects.values_list("id", flat=True))
    QuestionOption.objects.all().delete()
    Question.objects.all().delete()

    report = run_import(exported, "json")

    assert report.ok and report.created == 2
    assert bank() == before
    assert set(Question.objects.values_list("id", flat=True)) == ids
    assert Question.objects.get(id=question.id).created_by == staff


def test_importing_an_export_again_adds_nothing_and_changes_nothing(run_import):
    QuestionFactory.create_batch(3, exams=[ExamFactory()])
    exported = export_questions(Question.objects.all())
    before = bank()

    report = run_import(exported, "json")

    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert bank() == before
    assert not QuestionHistory.objects.exists()


def test_a_question_listed_by_id_is_updated_with_a_new_version_and_a_history_row(run_import, staff):
    question = QuestionFactory(question_text="Old text?")
    data = json.loads(export_questions(Question.objects.all()))
    data["questions"][0]["question_text"] = "New text?"
    data["questions"][0]["options"][1]["is_correct"] = True
    data["questions"][0]["options"][0]["is_correct"] = False

    report = run_import(json.dumps(data), "json")

    assert report.ok and report.updated == 1
    question.refresh_from_db()
    assert question.question_text == "New text?" and question.version == 2
    history = QuestionHistory.objects.get(question=question)
    assert history.version == 2 and history.edited_by == staff
    assert history.changes["question_text"] == {"old": "Old text?", "new": "New text?"}
    assert "options" in history.changes


def test_an_imported_change_can_be_restored_like_an_admin_edit(run_import, staff):
    question = QuestionFactory(question_text="Old text?")
    before = options_of(question)
    data = json.loads(export_questions(Question.objects.all()))
    data["questions"][0]["question_text"] = "New text?"
    data["questions"][0]["options"][0]["text"] = "Changed option"
    run_import(json.dumps(data), "json")

    restore_version(question=Question.objects.get(), version=1, editor=staff)

    question.refresh_from_db()
    assert question.question_text == "Old text?" and question.version == 3
    assert options_of(question) == before


def test_a_question_with_the_same_text_and_options_as_one_in_the_bank_is_a_duplicate(run_import):
    run_import(as_file(one_question()), "json")

    report = run_import(as_file(one_question(explanation="Another explanation")), "json")

    assert report.created == 0 and len(report.duplicates) == 1
    assert "already in the bank" in str(report.duplicates[0])
    assert Question.objects.count() == 1


def test_the_demo_file_imports_with_its_exams_and_categories(run_import):
    with open("quizzes/demo/questions.json", encoding="utf-8") as file:
        report = run_import(file.read(), "json")

    assert report.ok, report.errors
    assert report.created == Question.objects.count() == 101
    assert set(report.exams_created) == set(Exam.objects.values_list("code", flat=True))
    assert Category.objects.count() == len(report.categories_created) > 5


def test_an_unknown_exam_code_imports_nothing_and_names_the_line(run_import):
    text = as_file(one_question(question_text="First?"), one_question(exams=["CCIE"]))

    report = run_import(text, "json")

    assert not report.ok and report.created == 0
    assert [str(error) for error in report.errors] == [
        'line 18: "Which protocol does OSPF run over?": unknown exam code(s) CCIE: not in the bank, '
        'and the file\'s "exams" list does not define it.'
    ]
    assert not Question.objects.exists()


def test_an_exam_the_file_defines_is_created(run_import):
    text = as_file(one_question(exams=["CCIE"]), exams=[{"code": "CCIE", "name": "CCIE Enterprise"}])

    report = run_import(text, "json")

    assert report.ok and report.exams_created == ["CCIE"]
    assert Question.objects.get().exams.get().name == "CCIE Enterprise"


def test_a_question_with_no_correct_answer_imports_nothing_and_names_the_line(run_import):
    broken = one_question(options=[{"text": "a", "is_correct": False}, {"text": "b", "is_correct": False}])
    report = run_import(as_file(one_question(question_text="Fine?"), broken), "json")

    assert [error.line for error in report.errors] == [18]
    assert "no correct answer" in str(report.errors[0])
    assert not Question.objects.exists()


def test_a_missing_explanation_is_a_placeholder_and_a_warning(run_import):
    report = run_import(as_file(one_question(explanation=None)), "json")

    assert report.ok and "no explanation" in str(report.warnings[0])
    assert Question.objects.get().explanation == PLACEHOLDER_EXPLANATION


def test_html_the_bank_does_not_keep_is_named_in_a_warning_with_its_line(run_import):
    question = one_question(
        text_format="html",
        question_text='<p>Listen: <audio src="https://example.com/a.mp3"></audio></p>',
        options=[{"text": '<b onclick="x()">IP protocol 89</b>', "is_correct": True, "text_format": "html"},
                 {"text": "TCP port 179", "is_correct": False}],
    )
    report = run_import(as_file(question), "json")

    warnings = [str(warning) for warning in report.warnings]
    assert report.ok and len(warnings) == 2, warnings
    assert "removed from the question text" in warnings[0] and "audio" in warnings[0]
    assert "removed from option 1" in warnings[1] and "onclick" in warnings[1]
    assert all(warning.startswith("line 3: question 1") for warning in warnings), warnings  # the question's "{"
    assert "<audio" not in Question.objects.get().question_html


def test_invalid_json_names_the_line():
    with pytest.raises(ImportFileError, match="line 3: not valid JSON"):
        parse('{\n  "questions": [\n    {"question_text": }\n  ]\n}')


@pytest.mark.parametrize("value", [2**31, -1, True, "3"])
def test_out_of_range_numbers_are_errors_not_database_failures(value):
    parsed = parse(as_file(one_question(version=value)))

    assert "version must be an integer from 1" in str(parsed.errors[0])


def test_a_new_question_gets_the_default_status_and_exam(run_import):
    exam = ExamFactory(code="CCNA")

    run_import(as_file(one_question()), "json", status=QuestionStatus.PENDING, exam=exam)

    question = Question.objects.get()
    assert question.status == QuestionStatus.PENDING and list(question.exams.all()) == [exam]


def test_an_unknown_id_not_in_the_bank_creates_the_question_with_that_id(run_import):
    question_id = uuid.uuid4()

    run_import(as_file(one_question(id=str(question_id))), "json")
    second = run_import(as_file(one_question(id=str(question_id))), "json")

    assert Question.objects.get().id == question_id
    assert second.unchanged == 1


def test_an_update_changes_only_the_fields_the_file_gives(run_import):
    exam = ExamFactory(code="CCNA")
    question = QuestionFactory(exams=[exam], tags=["ospf"], explanation="Kept.", status=QuestionStatus.ARCHIVED)
    options = [{"text": o.text, "is_correct": o.is_correct, "display_order": o.display_order}
               for o in question.options.all()]

    report = run_import(as_file({"id": str(question.id), "question_text": "Reworded?", "type": "single",
                                 "options": options, "tags": ["ospf"]}), "json")

    question.refresh_from_db()
    assert report.updated == 1 and question.question_text == "Reworded?"
    assert question.explanation == "Kept." and question.status == QuestionStatus.ARCHIVED
    assert list(question.exams.all()) == [exam]


def test_an_update_that_drops_an_option_learners_chose_imports_nothing(run_import, learner):
    question = QuestionFactory(question_text="Answered?")
    session = QuizSession.objects.create(user=learner, question_count=1)
    SessionQuestion.objects.create(session=session, question=question, question_order=0)
    SessionSelectedOption.objects.create(session=session, question=question, option=question.options.last())
    data = json.loads(export_questions(Question.objects.all()))
    data["questions"][0]["options"].pop()
    data["questions"][0]["question_text"] = "Changed?"

    report = run_import(json.dumps(data), "json")

    assert "drops an option learners have already chosen" in str(report.errors[0])
    question.refresh_from_db()
    assert question.question_text == "Answered?" and question.options.count() == 4
