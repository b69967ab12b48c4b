from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gamification import rules
from gamification.progress import rebuild
from gamification.models import Badge, UserBadge, UserProgress
from tests.helpers.gamification import answer, start


def unlocked(user):
    return sorted(UserBadge.objects.filter(user=user).values_list("badge__name", flat=True))


def make_badge(name, requirement_type, value, category=None):
    return Badge.objects.create(
        name=name, description=name, icon="*", category="test", requirement_type=requirement_type,
        requirement_value=value, requirement_category=category,
    )


def test_the_first_answer_unlocks_the_first_answer_badge_once(learner, questions, demo_badges):
    session = start(learner, questions[:3])
    for question in questions[:3]:
        answer(session, question)

    assert unlocked(learner) == ["First Answer"]
    assert UserBadge.objects.filter(user=learner).count() == 1


def test_a_badge_already_unlocked_is_not_unlocked_again(learner, questions, demo_badges):
    session = start(learner, questions[:2])
    answer(session, questions[0])
    first = UserBadge.objects.get(user=learner)

    answer(session, questions[1])
    rebuild(user=learner)

    assert list(UserBadge.objects.filter(user=learner).values_list("pk", "unlocked_at")) == [(first.pk, first.unlocked_at)]


def test_questions_solved_badges_unlock_at_their_count(learner, questions):
    make_badge("Ten", "questions_solved", 10)
    session = start(learner, questions[:10])
    for question in questions[:9]:
        answer(session, question, right=False)
    assert unlocked(learner) == []

    answer(session, questions[9], right=False)

    assert unlocked(learner) == ["Ten"]


def test_an_accuracy_badge_waits_for_the_minimum_number_of_answers(learner, questions):
    make_badge("Sharp", "accuracy", 70)
    sessions = [start(learner, questions) for _ in range(2)]
    answers = [(session, question) for session in sessions for question in questions]
    needed = rules.ACCURACY_BADGE_MIN_ANSWERS
    for session, question in answers[: needed - 1]:
        answer(session, question)  # 100% but too few answers
    assert unlocked(learner) == []

    answer(*answers[needed - 1])

    assert unlocked(learner) == ["Sharp"]


def test_a_streak_badge_unlocks_on_the_day_the_streak_reaches_it(learner, questions, clock):
    make_badge("On a Roll", "streak", 3)
    for day, question in enumerate(questions[:3]):
        clock.set(clock.now + timedelta(days=1))
        answer(start(learner, [question]), question)
        assert unlocked(learner) == (["On a Roll"] if day == 2 else [])


def test_a_category_mastery_badge_needs_enough_answers_in_its_category_at_its_percentage(learner, questions):
    make_badge("OSPF Master", "category_mastery", 80, category="OSPF")
    make_badge("QoS Master", "category_mastery", 80, category="QOS")
    ospf_questions = questions[:6] + questions[10:]  # 8 questions in OSPF
    first, second = start(learner, ospf_questions), start(learner, ospf_questions)
    for question in ospf_questions:
        answer(first, question, right=question != ospf_questions[0])  # 7 of 8
    answer(second, ospf_questions[0], right=False)  # 7 of 9: 77%
    assert unlocked(learner) == []

    answer(second, ospf_questions[1], right=True)  # 8 of 10: 80%

    assert unlocked(learner) == ["OSPF Master"]


def test_badges_are_checked_in_one_query_whatever_their_number(learner, questions):
    UserProgress.objects.create(user=learner)  # a first answer creates the progress row: two queries more
    counts = []
    for number in (2, 40):
        Badge.objects.all().delete()
        for index in range(number):
            make_badge(f"Badge {index}", "questions_solved", 1000 + index)
        session = start(learner, [questions[number % 5]])
        with CaptureQueriesContext(connection) as queries:
            answer(session, questions[number % 5])
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
