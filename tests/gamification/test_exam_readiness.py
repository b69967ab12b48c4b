"""Exam readiness per (learner, exam), updated by each answer: per category of the exam's questions,
a by-week weighted accuracy × coverage; the mean over the categories (rules.readiness_score)."""

from datetime import date

from gamification import rules, selectors
from gamification.models import ExamReadiness
from quizzes.factories import ExamFactory
from tests.helpers.gamification import answer, start


def readiness_of(learner, code="CCNA") -> ExamReadiness:
    return next(row for row in selectors.exam_readiness(learner) if row.exam.code == code)


def test_readiness_is_accuracy_times_coverage_per_category(learner, questions, clock):
    session = start(learner, questions[:5] + questions[6:8])  # 5 OSPF, 2 QoS
    for index, question in enumerate(questions[:5] + questions[6:8]):
        answer(session, question, right=index != 0)

    row = readiness_of(learner)

    # OSPF 4 of 5 right, coverage 5/10: 0.4; QoS 2 of 2, coverage 2/10: 0.2; mean 0.3
    assert (row.score, row.answered) == (30, 7)
    assert row.categories == {"OSPF": {"2025-03-03": [5, 4]}, "QOS": {"2025-03-03": [2, 2]}}


def test_older_weeks_weigh_less(learner, questions, clock):
    first = start(learner, questions[:5])
    for question in questions[:5]:
        answer(first, question, right=False)
    clock.advance(days=7)
    second = start(learner, questions[:5])
    for question in questions[:5]:
        answer(second, question, right=True)

    row = readiness_of(learner)

    weight = rules.READINESS_WEEK_WEIGHT
    assert row.score == round(100 * 5 / (5 * weight + 5))  # 10 answers: full coverage
    assert row.trend == [0, 0, 0, 0, row.score]
    assert row.change == row.score


def test_answers_older_than_the_window_are_dropped(learner, questions, clock):
    answer(start(learner, questions[:1]), questions[0], right=False)
    clock.advance(weeks=rules.READINESS_WEEKS)
    answer(start(learner, questions[1:2]), questions[1], right=True)

    row = readiness_of(learner)

    assert list(row.categories["OSPF"]) == [rules.week_of(clock.now.date()).isoformat()]
    assert row.score == 10  # one right answer: coverage 1/10


def test_an_exam_never_practised_is_not_started(learner, questions, clock):
    ExamFactory(code="ENCOR", name="CCNP Enterprise Core")
    answer(start(learner, questions[:1]), questions[0])

    row = readiness_of(learner, "ENCOR")

    assert (row.pk, row.score, row.answered) == (None, 0, 0)


def test_the_score_rule_on_its_own():
    categories = {"A": {"2025-03-03": [10, 10]}, "B": {"2025-02-24": [4, 2], "2025-03-03": [1, 1]}}
    # A: 1.0 × 1.0; B: (0.7 × 2 + 1) / (0.7 × 4 + 1) × 0.5
    expected = round(100 * (1.0 + (0.7 * 2 + 1) / (0.7 * 4 + 1) * 0.5) / 2)
    assert rules.readiness_score(categories, date(2025, 3, 3)) == expected
    assert rules.readiness_score(categories, date(2025, 2, 24)) == 20  # B only: 2 of 4 × coverage 0.4
