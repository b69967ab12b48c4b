"""Each hot page costs a fixed number of queries whether the bank holds 50 or 2,000 questions
and whether the session holds 5 or 50 of them (no N+1, no per-question queries)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from quizzes.models import Question, QuestionCategory, QuestionExam, QuestionOption
from quizzes.services import finish_session, start_session
from tests.helpers.accounts import log_in_guest
from tests.helpers.quizzes import correct_option_ids
from tests.helpers.quizzes import submit


def make_bank(size, exam, category, author):
    questions = Question.objects.bulk_create(
        Question(question_text=f"Bank question {i}", type="single", explanation="Because.", tags=["bank"], created_by=author)
        for i in range(size)
    )
    QuestionOption.objects.bulk_create(
        QuestionOption(question=question, text=f"Option {n}", is_correct=n == 0, display_order=n)
        for question in questions
        for n in range(4)
    )
    QuestionExam.objects.bulk_create(QuestionExam(question=question, exam=exam) for question in questions)
    QuestionCategory.objects.bulk_create(QuestionCategory(question=question, category=category) for question in questions)


def count_queries(func):
    with CaptureQueriesContext(connection) as context:
        func()
    return len(context.captured_queries)


def analyze_bank():
    """Fresh planner statistics, as autovacuum keeps them in production: with the stale ones an
    earlier test left, PostgreSQL may plan the catalogue's joins as nested loops over "empty"
    tables that now hold thousands of rows (a home page once ran for minutes on an xdist worker)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions, question_options, question_exams, question_categories")


def measure(client, learner, session_size):
    """Queries of: start, question page (full and htmx), answer POST (htmx), results page."""
    counts = {}
    counts["start"] = count_queries(
        lambda: client.post("/quiz/start/", {"count": session_size, "mode": "practice", "exam": "CCNA", "category": "OSPF"})
    )
    session = learner.quiz_sessions.latest("started_at")
    assert session.question_count == session_size
    counts["question"] = count_queries(lambda: client.get(f"/quiz/{session.pk}/q/2/"))
    counts["question_htmx"] = count_queries(lambda: client.get(f"/quiz/{session.pk}/q/2/", headers={"HX-Request": "true"}))
    sq = session.session_questions.select_related("question").get(question_order=1)
    answer = {"option": correct_option_ids(sq)}
    counts["answer"] = count_queries(
        lambda: client.post(f"/quiz/{session.pk}/q/2/answer/", answer, headers={"HX-Request": "true"})
    )
    finish_session(session=session)
    counts["results"] = count_queries(lambda: client.get(f"/quiz/{session.pk}/results/"))
    cache.clear()
    counts["home"] = count_queries(lambda: client.get("/"))
    counts["home_cached"] = count_queries(lambda: client.get("/"))
    return counts


# The exact queries of each page, for a signed-in free learner. Every request starts with
# 1 django session, 2 user (with the subscription; request.learner is that user).
QUERIES = {
    # 3 exam, 4 category (the form's choices), (savepoint), 5 the learner's answers today (the free
    # daily limit caps the quiz), 6 the random pick, 7 the picked questions' options (shuffled),
    # 8 session insert, 9 session questions insert, (release)
    "start": 11,
    # 3 session question with its session, question and bookmark, 4 current_index update, 5 options
    # with the learner's choices, 6 navigation rows, 7 the navigation's count of review cards due
    # (the menu's "Review 12 due"; an htmx fragment has no menu)
    "question": 7,
    # the same, but the page is already at this question: no current_index update
    "question_htmx": 5,
    # (savepoint), 3 session question with session, question, learner and bookmark under its lock,
    # 4 the learner's advisory lock, 5 today's answers, 6 options, 7 selected option insert,
    # 8 session question update, 9 session update, then the progress receiver
    # (tests/gamification/test_dashboard_queries.py): 10 the answer with its categories and exams,
    # 11 progress row, 12 its insert (the learner's first answer), 13 progress row locked, 14 day,
    # 15 card, 16 readiness rows, 17 badges not unlocked, 18 progress update, 19-21 day, card and
    # readiness upserts, (release), 22 navigation rows
    "answer": 24,
    # 3 session, 4 session questions with questions, 5 options, 6 the learner's choices, 7 bookmarks,
    # 8 results by question, 9 question categories with their categories, 10 the navigation's count
    # of review cards due
    "results": 10,
    # 3 (exam, category) counts in one aggregate, 4 categories, 5 exams with counts, 6 unfinished
    # quizzes, 7 review cards due (the navigation's "Review 12 due" and the page's button share it)
    "home": 7,
    # the catalogue from the cache: 3 review cards due, 4 unfinished quizzes
    "home_cached": 4,
}


# 50 (a long quiz) runs with the slow tests: 5 keeps the invariant in the everyday loop.
@pytest.mark.parametrize("session_size", [5, pytest.param(50, marks=pytest.mark.slow)])
def test_hot_pages_cost_the_same_queries_for_a_bank_of_50_and_of_2000(client, ccna, ospf, session_size, settings):
    settings.FREE_DAILY_QUESTION_LIMIT = 100  # a free learner, whose quiz of 50 fits in the day
    author = UserFactory(username="author")
    small_learner = UserFactory(username="small")
    large_learner = UserFactory(username="large")
    make_bank(50, ccna, ospf, author)
    analyze_bank()
    client.force_login(small_learner)
    small = measure(client, small_learner, session_size)

    make_bank(1950, ccna, ospf, author)
    analyze_bank()
    client.force_login(large_learner)
    large = measure(client, large_learner, session_size)

    assert small == large == QUERIES


@pytest.fixture
def ten_question_quiz(client, ccna, ospf):
    """A ten-question quiz from a bank of 20, its learner logged in on `client`."""
    make_bank(20, ccna, ospf, UserFactory(username="author"))
    learner = UserFactory(username="reader")
    client.force_login(learner)
    return start_session(user=learner, count=10).session


def test_the_question_page_queries_are_the_expected_ones(client, ten_question_quiz, django_assert_num_queries):
    session = ten_question_quiz
    # 1 django session, 2 user, 3 session question with its session, question and bookmark,
    # 4 options with the learner's choices, 5 navigation rows, 6 current_index update, 7 the
    # navigation's count of review cards due
    with django_assert_num_queries(7):
        client.get(f"/quiz/{session.pk}/q/3/")
    sq = session.session_questions.select_related("question").get(question_order=2)
    submit(session, sq, correct_option_ids(sq))


def test_an_answer_after_the_first_costs_the_expected_queries(client, ten_question_quiz, django_assert_num_queries):
    session = ten_question_quiz
    first, second = session.session_questions.select_related("question").order_by("question_order")[:2]
    client.post(f"/quiz/{session.pk}/q/1/answer/", {"option": correct_option_ids(first)}, headers={"HX-Request": "true"})
    choice = {"option": correct_option_ids(second)}
    # 1 django session, 2 user, (savepoint: the test's transaction), 3 the session question with
    # its session, question, learner and bookmark, read under its lock, 4 the learner's advisory
    # lock and 5 today's answers (the free limit), 6 options, 7 selected option insert, 8 session
    # question update, 9 session update, then the progress receiver
    # (tests/gamification/test_dashboard_queries.py): 10 the answer with its categories and exams,
    # 11 progress row locked, 12 day, 13 card, 14 readiness rows, 15 badges not unlocked, 16 progress
    # update, 17-19 day, card and readiness upserts, (release), 20 navigation rows
    with django_assert_num_queries(22):
        response = client.post(f"/quiz/{session.pk}/q/2/answer/", choice, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Correct" in response.content.decode()


def test_a_guests_question_page_costs_the_expected_queries(client, ccna, ospf, guest, django_assert_num_queries):
    make_bank(20, ccna, ospf, UserFactory(username="author"))
    session = start_session(user=guest, count=10).session
    log_in_guest(client, guest)
    # 1 django session, 2 the guest (request.learner, set by LearnerMiddleware; no signed-in user to
    # load), 3 session question with its session, question and bookmark, 4 current_index update,
    # 5 options with the guest's choices, 6 navigation rows, 7 the navigation's count of review
    # cards due
    with django_assert_num_queries(7):
        response = client.get(f"/quiz/{session.pk}/q/3/")
    assert response.status_code == 200
