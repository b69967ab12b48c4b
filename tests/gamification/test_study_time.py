from gamification import rules
from tests.helpers.gamification import answer, progress_of, start


def test_study_time_adds_the_time_between_answers_of_a_quiz(learner, questions, clock):
    session = start(learner, questions[:2])  # started at the clock's time
    clock.advance(seconds=90)
    answer(session, questions[0])
    clock.advance(seconds=60)
    answer(session, questions[1])

    progress = progress_of(learner)
    assert (progress.study_seconds, progress.study_time) == (150, 2)


def test_an_idle_gap_counts_only_up_to_the_cap(learner, questions, clock):
    session = start(learner, questions[:2])
    clock.advance(seconds=30)
    answer(session, questions[0])
    clock.advance(hours=2)
    answer(session, questions[1])

    assert progress_of(learner).study_seconds == 30 + rules.STUDY_SECONDS_CAP_PER_ANSWER


def test_short_answers_add_up_to_whole_minutes(learner, questions, clock):
    session = start(learner, questions[:4])
    for question in questions[:4]:
        clock.advance(seconds=20)
        answer(session, question)

    progress = progress_of(learner)
    assert (progress.study_seconds, progress.study_time) == (80, 1)


def test_a_quiz_resumed_the_next_day_counts_its_first_answer_up_to_the_cap(learner, questions, clock):
    session = start(learner, questions[:2])
    clock.advance(seconds=45)
    answer(session, questions[0])
    clock.advance(days=1)
    answer(session, questions[1])

    assert progress_of(learner).study_seconds == 45 + rules.STUDY_SECONDS_CAP_PER_ANSWER
