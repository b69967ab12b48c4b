"""ON DELETE rules of the schema document, enforced by the database on raw SQL deletes."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.factories import UserFactory
from gamification.models import Badge, UserBadge, UserProgress
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import Bookmark, ProblemReport, QuizSession, SessionQuestion, SessionSelectedOption


def run(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def count(table, where, params):
    return run(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]



@pytest.fixture
def exam(db):
    return ExamFactory()


@pytest.fixture
def category(db):
    return CategoryFactory()


@pytest.fixture
def question(db, exam, category):
    return QuestionFactory(exams=[exam], categories=[category])


@pytest.fixture
def session(learner, question, exam, category):
    """A learner's answered quiz session on the question."""
    session = QuizSession.objects.create(user=learner, exam=exam, category=category, question_count=1)
    SessionQuestion.objects.create(session=session, question=question, question_order=0, is_correct=True)
    SessionSelectedOption.objects.create(session=session, question=question, option=question.options.first())
    return session


def test_deleting_a_question_deletes_its_options_links_and_bookmarks(learner, question):
    Bookmark.objects.create(user=learner, question=question)
    for table in ["question_options", "question_exams", "question_categories", "bookmarks"]:
        assert count(table, "question_id = %s", [question.pk]) > 0, table

    run("DELETE FROM questions WHERE id = %s", [question.pk])

    for table in ["question_options", "question_exams", "question_categories", "bookmarks"]:
        assert count(table, "question_id = %s", [question.pk]) == 0, table


def test_deleting_a_learner_deletes_their_sessions_progress_badges_and_bookmarks(learner, question, session):
    UserProgress.objects.create(user=learner)
    badge = Badge.objects.create(
        name="First steps", description="Answer a question", icon="star", category="progress",
        requirement_type="questions_solved", requirement_value=1,
    )
    UserBadge.objects.create(user=learner, badge=badge)
    Bookmark.objects.create(user=learner, question=question)

    run("DELETE FROM users WHERE id = %s", [learner.pk])

    assert count("quiz_sessions", "user_id = %s", [learner.pk]) == 0
    assert count("session_questions", "session_id = %s", [session.pk]) == 0
    assert count("session_selected_options", "session_id = %s", [session.pk]) == 0
    assert count("user_progress", "user_id = %s", [learner.pk]) == 0
    assert count("user_badges", "user_id = %s", [learner.pk]) == 0
    assert count("bookmarks", "user_id = %s", [learner.pk]) == 0
    # The badge and the question are not the learner's: they stay.
    assert count("badges", "id = %s", [badge.pk]) == 1
    assert count("questions", "id = %s", [question.pk]) == 1


def test_deleting_a_badge_deletes_its_unlocks(learner):
    badge = Badge.objects.create(
        name="Streak", description="Three days", icon="fire", category="streak",
        requirement_type="streak", requirement_value=3,
    )
    UserBadge.objects.create(user=learner, badge=badge)
    run("DELETE FROM badges WHERE id = %s", [badge.pk])
    assert count("user_badges", "badge_id = %s", [badge.pk]) == 0


def test_deleting_an_exam_keeps_its_sessions_without_an_exam(session, exam, question):
    run("DELETE FROM exams WHERE id = %s", [exam.pk])
    assert run("SELECT exam_id, category_id FROM quiz_sessions WHERE id = %s", [session.pk]) == [
        (None, session.category_id)
    ]
    assert count("question_exams", "exam_id = %s", [exam.pk]) == 0
    assert count("questions", "id = %s", [question.pk]) == 1


def test_deleting_a_category_keeps_its_sessions_without_a_category(session, category, question):
    run("DELETE FROM categories WHERE id = %s", [category.pk])
    assert run("SELECT exam_id, category_id FROM quiz_sessions WHERE id = %s", [session.pk]) == [
        (session.exam_id, None)
    ]
    assert count("question_categories", "category_id = %s", [category.pk]) == 0
    assert count("questions", "id = %s", [question.pk]) == 1


def test_deleting_a_reviewer_keeps_the_report_without_a_reviewer(learner, question):
    reviewer = UserFactory(role="admin")
    report = ProblemReport.objects.create(
        question=question, reporter=learner, type="error", description="Typo", status="accepted", reviewed_by=reviewer
    )
    run("DELETE FROM users WHERE id = %s", [reviewer.pk])
    assert run("SELECT reviewed_by_id, status FROM problem_reports WHERE id = %s", [report.pk]) == [(None, "accepted")]


def refused_at_commit(query, params):
    """The foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's default), so NO ACTION is checked
    at commit: SET CONSTRAINTS ALL IMMEDIATE runs that check inside the savepoint."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        run(query, params)
        run("SET CONSTRAINTS ALL IMMEDIATE")
    run("SET CONSTRAINTS ALL DEFERRED")
    return excinfo.value.__cause__.diag


def test_a_question_in_a_quiz_session_cannot_be_deleted(session, question):
    diag = refused_at_commit("DELETE FROM questions WHERE id = %s", [question.pk])
    assert diag.table_name in {"session_questions", "session_selected_options"}
    assert count("questions", "id = %s", [question.pk]) == 1


def test_a_reported_question_cannot_be_deleted(learner, question):
    ProblemReport.objects.create(question=question, reporter=learner, type="unclear", description="Which one?")
    diag = refused_at_commit("DELETE FROM questions WHERE id = %s", [question.pk])
    assert diag.table_name == "problem_reports"


def test_a_reporter_cannot_be_deleted_while_their_report_exists(learner, question):
    ProblemReport.objects.create(question=question, reporter=learner, type="unclear", description="Which one?")
    diag = refused_at_commit("DELETE FROM users WHERE id = %s", [learner.pk])
    assert diag.table_name == "problem_reports"


def test_the_author_of_a_question_cannot_be_deleted(question):
    diag = refused_at_commit("DELETE FROM users WHERE id = %s", [question.created_by_id])
    assert diag.table_name == "questions"


# The whole table of foreign keys, against the schema document: c = CASCADE, n = SET NULL, a = NO ACTION.
DOCUMENTED_ON_DELETE = {
    ("questions", "created_by_id"): "a",
    ("question_options", "question_id"): "c",
    ("question_exams", "question_id"): "c",
    ("question_exams", "exam_id"): "c",
    ("question_categories", "question_id"): "c",
    ("question_categories", "category_id"): "c",
    ("user_progress", "user_id"): "c",
    ("user_badges", "user_id"): "c",
    ("user_badges", "badge_id"): "c",
    ("quiz_sessions", "user_id"): "c",
    ("quiz_sessions", "exam_id"): "n",
    ("quiz_sessions", "category_id"): "n",
    ("session_questions", "session_id"): "c",
    ("session_questions", "question_id"): "a",
    ("session_selected_options", "session_id"): "c",
    ("session_selected_options", "question_id"): "a",
    ("session_selected_options", "option_id"): "a",
    ("problem_reports", "question_id"): "a",
    ("problem_reports", "reporter_id"): "a",
    ("problem_reports", "reviewed_by_id"): "n",
    ("subscriptions", "user_id"): "a",
    ("bookmarks", "user_id"): "c",
    ("bookmarks", "question_id"): "c",
    ("question_history", "question_id"): "a",
    ("question_history", "edited_by_id"): "a",
}


def test_every_foreign_key_has_the_documented_on_delete_rule(db):
    tables = sorted({table for table, _ in DOCUMENTED_ON_DELETE})
    found = {
        (table, column): rule
        for table, column, rule in run(
            "SELECT c.conrelid::regclass::text, a.attname, c.confdeltype FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
            " WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY (%s)",
            [tables],
        )
    }
    assert found == DOCUMENTED_ON_DELETE
