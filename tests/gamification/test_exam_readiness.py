"""readiness = accuracy of the last answers to the exam's questions × coverage of its categories."""

from gamification import rules, selectors
from quizzes.factories import ExamFactory
from tests.gamification.conftest import answer, start


def readiness_of(learner, clock, code="CCNA"):
    return next(exam for exam in selectors.exam_readiness(learner, clock.now) if exam.code == code)


def test_readiness_is_accuracy_times_category_coverage(learner, questions, clock):
    ospf_only = questions[:6]
    session = start(learner, ospf_only)
    for question in ospf_only:
        answer(session, question)

    exam = readiness_of(learner, clock)

    # 6 of 6 right; coverage: OSPF 6 of 10 counted answers, QoS none: (0.6 + 0) / 2
    assert exam.score == 30
    assert exam.answered == 6


def test_an_exam_never_practised_is_not_started(learner, questions, clock):
    ExamFactory(code="ENCOR", name="CCNP Enterprise Core")
    answer(start(learner, questions[:1]), questions[0])

    exam = readiness_of(learner, clock, "ENCOR")

    assert (exam.score, exam.answered) == (0, 0)


def test_only_the_most_recent_answers_count_for_accuracy(learner, questions, clock, settings):
    settings.FREE_DAILY_QUESTION_LIMIT = 0  # 72 answers in a day
    first = start(learner, questions)
    for question in questions:
        answer(first, question, right=False)
    for _ in range(5):
        clock.advance(minutes=10)
        session = start(learner, questions)
        for question in questions:
            answer(session, question, right=True)

    exam = readiness_of(learner, clock)

    assert exam.answered == rules.READINESS_RECENT_ANSWERS
    assert exam.score == 100  # the 12 wrong answers are older than the last 50, every category covered


def test_the_trend_compares_with_a_week_earlier(learner, questions, clock):
    early = start(learner, questions[:2])  # OSPF
    for question in questions[:2]:
        answer(early, question)
    clock.advance(days=7)
    later = start(learner, questions[2:10])  # 4 more OSPF, 4 QoS, 2 of them wrong
    for question in questions[2:10]:
        answer(later, question, right=question not in questions[6:8])

    exam = readiness_of(learner, clock)

    # a week ago: 2 of 2 right, coverage (0.2 + 0) / 2 = 10; now: 8 of 10, coverage (0.6 + 0.4) / 2 = 40
    assert exam.trend[-2:] == [10, 40]
    assert exam.change == 30
    assert len(exam.trend) == rules.READINESS_TREND_WEEKS + 1
