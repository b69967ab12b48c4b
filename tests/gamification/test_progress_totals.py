from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gamification.models import UserProgress
from quizzes.models import QuizMode
from quizzes.services import finish_session
from tests.helpers.gamification import answer, progress_of, start


def test_every_final_answer_adds_to_the_totals_and_the_accuracy(learner, questions):
    session = start(learner, questions[:3])

    answer(session, questions[0], right=True)
    answer(session, questions[1], right=True)
    answer(session, questions[2], right=False)

    progress = progress_of(learner)
    assert (progress.total_questions, progress.correct_answers) == (3, 2)
    assert progress.accuracy == Decimal("66.67")


def test_accuracy_is_a_percentage_with_two_decimals_rounded_half_up(learner, questions):
    session = start(learner, questions[:8])
    answer(session, questions[0], right=True)
    for question in questions[1:8]:
        answer(session, question, right=False)

    assert progress_of(learner).accuracy == Decimal("12.50")  # 1 of 8


def test_category_stats_count_each_answer_in_every_category_of_its_question(learner, questions, ospf, qos):
    in_ospf, in_qos, in_both = questions[0], questions[6], questions[10]
    session = start(learner, [in_ospf, in_qos, in_both])

    answer(session, in_ospf, right=True)
    answer(session, in_qos, right=False)
    answer(session, in_both, right=True)

    assert progress_of(learner).category_stats == {
        "version": 1,
        "OSPF": {"attempted": 2, "correct": 2},
        "QOS": {"attempted": 2, "correct": 1},
    }


def test_category_stats_keep_the_counts_of_other_categories(learner, questions):
    first = start(learner, [questions[0]])
    answer(first, questions[0])
    second = start(learner, [questions[6]])

    answer(second, questions[6], right=False)

    stats = progress_of(learner).category_stats
    assert stats["OSPF"] == {"attempted": 1, "correct": 1}
    assert stats["QOS"] == {"attempted": 1, "correct": 0}


def test_submitting_the_same_practice_answer_twice_counts_it_once(learner, questions):
    session = start(learner, questions[:1])

    answer(session, questions[0], right=True)
    answer(session, questions[0], right=False)

    progress = progress_of(learner)
    assert (progress.total_questions, progress.correct_answers) == (1, 1)


def test_exam_answers_count_only_when_the_exam_is_submitted_with_their_final_choice(learner, questions):
    session = start(learner, questions[:3], mode=QuizMode.EXAM)
    answer(session, questions[0], right=False)
    answer(session, questions[0], right=True)  # changed before submitting
    answer(session, questions[1], right=False)
    assert not UserProgress.objects.filter(user=learner).exists()

    finish_session(session=session)

    progress = progress_of(learner)
    assert (progress.total_questions, progress.correct_answers) == (2, 1)
    assert progress.category_stats["OSPF"] == {"attempted": 2, "correct": 1}


def test_submitting_an_exam_costs_the_same_queries_for_3_and_12_questions(learner, questions):
    UserProgress.objects.create(user=learner)  # a first answer creates the progress row: two queries more
    counts = []
    for size in (3, 12):
        session = start(learner, questions[:size], mode=QuizMode.EXAM)
        for question in questions[:size]:
            answer(session, question)
        with CaptureQueriesContext(connection) as queries:
            finish_session(session=session)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
