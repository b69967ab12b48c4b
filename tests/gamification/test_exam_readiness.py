"""readiness = accuracy of the last answers to the exam's questions × coverage of its categories."""

from collections import defaultdict
from datetime import timedelta

from gamification import rules, selectors
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import Category
from tests.gamification.conftest import answer, make_history, start


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


def reference_readiness(user, now, premium=False):
    """The rule computed in Python from every final answer, cutoff by cutoff: what the single
    SQL statement of selectors.exam_readiness must agree with."""
    from quizzes.models import Exam, QuestionCategory, QuestionExam, SessionQuestion

    answers = list(
        SessionQuestion.objects.filter(session__user=user, answered_at__isnull=False)
        .exclude(session__mode="exam", session__completed_at__isnull=True)
        .values_list("question_id", "answered_at", "is_correct")
    )
    exams_of, categories_of = defaultdict(set), defaultdict(set)
    for question_id, exam_id in QuestionExam.objects.values_list("question_id", "exam_id"):
        exams_of[question_id].add(exam_id)
    for question_id, category_id in QuestionCategory.objects.values_list("question_id", "category_id"):
        categories_of[question_id].add(category_id)
    visible = QuestionExam.objects.filter(question__status="active")
    if not premium:
        visible = visible.filter(question__is_premium=False)
    exam_categories = defaultdict(set)
    active_categories = set(Category.objects.filter(is_active=True).values_list("pk", flat=True))
    for question_id, exam_id in visible.values_list("question_id", "exam_id"):
        exam_categories[exam_id] |= categories_of[question_id] & active_categories
    result = {}
    for exam in Exam.objects.filter(is_active=True):
        trend = []
        for weeks in range(rules.READINESS_TREND_WEEKS, -1, -1):
            cutoff = now - timedelta(weeks=weeks)
            mine = [a for a in answers if exam.pk in exams_of[a[0]] and a[1] <= cutoff]
            recent = sorted(mine, key=lambda a: a[1], reverse=True)[: rules.READINESS_RECENT_ANSWERS]
            counts = [sum(1 for a in mine if category in categories_of[a[0]]) for category in exam_categories[exam.pk]]
            coverage = sum(map(rules.category_coverage, counts)) / len(counts) if counts else 0
            trend.append(rules.readiness(len(recent), sum(1 for a in recent if a[2]), coverage))
        result[exam.code] = trend
    return result


def test_readiness_agrees_with_the_rule_over_a_long_history_of_several_exams(learner, questions, ccna, qos, clock):
    from quizzes.models import QuestionStatus, QuizSession, SessionQuestion

    encor = ExamFactory(code="ENCOR", name="CCNP Enterprise Core")
    sdwan = CategoryFactory(code="SDWAN", name="SD-WAN")
    retired = CategoryFactory(code="OLD", name="Old", is_active=False)
    both = QuestionFactory.create_batch(2, exams=[ccna, encor], categories=[qos, sdwan])
    encor_only = QuestionFactory.create_batch(3, exams=[encor], categories=[sdwan, retired])
    QuestionFactory(exams=[encor], categories=[CategoryFactory(code="PREM", name="Premium only")], is_premium=True)
    archived = QuestionFactory(exams=[ccna], categories=[qos], status=QuestionStatus.ARCHIVED)
    mix = questions[:4] + both + encor_only + [archived]  # ten questions, answered in every quiz
    make_history(learner, mix, 420, end=clock.now, days=63)
    unfinished = QuizSession.objects.create(user=learner, mode="exam", question_count=1)
    SessionQuestion.objects.create(session=unfinished, question=questions[0], question_order=0,
                                   answered_at=clock.now, is_correct=False)

    for days_ago in (0, 3, 11, 40):
        now = clock.now - timedelta(days=days_ago)
        got = {exam.code: exam.trend for exam in selectors.exam_readiness(learner, now)}
        assert got == reference_readiness(learner, now)

    readiness, until = selectors.exam_readiness_until(learner, clock.now)
    # the first moment a cutoff of 1 to 4 weeks ago passes an answer made after it
    answered = SessionQuestion.objects.filter(session__user=learner, session__completed_at__isnull=False)
    moments = [
        at + timedelta(weeks=weeks)
        for at in answered.values_list("answered_at", flat=True)
        for weeks in range(1, rules.READINESS_TREND_WEEKS + 1)
        if at > clock.now - timedelta(weeks=weeks)
    ]
    assert until == min(moments)
    just_before = selectors.exam_readiness(learner, until - timedelta(microseconds=1))
    assert [exam.trend for exam in just_before] == [exam.trend for exam in readiness]
