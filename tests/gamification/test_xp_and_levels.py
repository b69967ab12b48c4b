from django.db import connection

from gamification import rules
from quizzes.models import QuizMode
from quizzes.services import finish_session
from tests.helpers.gamification import answer, progress_of, start


def test_a_right_answer_earns_the_right_answer_xp_and_a_wrong_one_less(learner, questions):
    session = start(learner, questions[:2])

    answer(session, questions[0], right=True)
    assert progress_of(learner).experience == rules.XP_PER_CORRECT_ANSWER
    answer(session, questions[1], right=False)
    assert progress_of(learner).experience == rules.XP_PER_CORRECT_ANSWER + rules.XP_PER_WRONG_ANSWER
    assert rules.XP_PER_WRONG_ANSWER < rules.XP_PER_CORRECT_ANSWER


def test_finishing_a_quiz_with_enough_answers_earns_the_session_bonus(learner, questions):
    count = rules.SESSION_BONUS_MIN_ANSWERS
    session = start(learner, questions[:count])
    for question in questions[:count]:
        answer(session, question)

    finish_session(session=session)

    assert progress_of(learner).experience == count * rules.XP_PER_CORRECT_ANSWER + rules.XP_SESSION_BONUS


def test_finishing_a_quiz_with_too_few_answers_earns_no_bonus(learner, questions):
    session = start(learner, questions[:rules.SESSION_BONUS_MIN_ANSWERS])
    answer(session, questions[0])

    finish_session(session=session)

    assert progress_of(learner).experience == rules.XP_PER_CORRECT_ANSWER


def test_a_submitted_exam_earns_its_answers_xp_and_the_bonus_at_once(learner, questions):
    count = rules.SESSION_BONUS_MIN_ANSWERS
    session = start(learner, questions[:count], mode=QuizMode.EXAM)
    for index, question in enumerate(questions[:count]):
        answer(session, question, right=index > 0)

    finish_session(session=session)

    expected = (count - 1) * rules.XP_PER_CORRECT_ANSWER + rules.XP_PER_WRONG_ANSWER + rules.XP_SESSION_BONUS
    assert progress_of(learner).experience == expected


def test_each_level_needs_more_xp_than_the_one_before():
    steps = [rules.xp_for_level(level + 1) - rules.xp_for_level(level) for level in range(1, 30)]
    assert rules.xp_for_level(1) == 0
    assert all(later > earlier for earlier, later in zip(steps, steps[1:]))


def test_the_level_is_the_highest_whose_threshold_the_xp_has_reached():
    for level in range(1, 40):
        threshold = rules.xp_for_level(level)
        assert rules.level_for_xp(threshold) == level
        assert rules.level_for_xp(threshold - 1) == max(level - 1, 1)


def test_the_level_rises_with_the_answer_that_reaches_its_threshold(learner, questions):
    needed = rules.xp_for_level(2) // rules.XP_PER_CORRECT_ANSWER  # 10 right answers with the defaults
    session = start(learner, questions[:needed])
    for question in questions[: needed - 1]:
        answer(session, question)
    assert progress_of(learner).level == 1

    answer(session, questions[needed - 1])

    progress = progress_of(learner)
    assert (progress.experience, progress.level) == (rules.xp_for_level(2), 2)
