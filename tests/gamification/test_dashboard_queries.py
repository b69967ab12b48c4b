import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from gamification.models import LeaderboardProfile, UserProgress
from quizzes.models import SessionQuestion
from quizzes.signals import answer_recorded
from tests.helpers.gamification import make_history, start


@pytest.mark.parametrize("answers", [10, pytest.param(5000, marks=pytest.mark.slow)])
def test_the_dashboard_costs_the_same_queries_for_10_and_5000_answers(
    client, questions, demo_badges, clock, answers, django_assert_num_queries
):
    """Every panel reads rows the answers wrote (a few per day, exam or card): no query per answer,
    day, category, exam or badge, and nothing cached."""
    learner = UserFactory(username=f"busy-{answers}")
    rival = UserFactory(username=f"rival-{answers}")
    for person in (learner, rival):
        make_history(person, questions, answers, end=clock.now)
        LeaderboardProfile.objects.create(user=person, display_name=person.username)
    client.force_login(learner)

    # 1 django session, 2 user, 3 progress, 4 categories, 5 daily activity (heat-map and accuracy
    # chart), 6 review cards due (counted up to 100), 7 the next card due later, 8 active exams,
    # 9 their readiness rows, 10 badges with unlock dates, 11 recent sessions, 12 own leaderboard
    # profile, 13 weekly leaderboard
    for _ in range(2):
        with django_assert_num_queries(13):
            response = client.get("/dashboard/")
        assert response.status_code == 200
        assert f"{answers:,}" in response.content.decode()  # questions answered


@pytest.mark.parametrize("answers", [10, pytest.param(5000, marks=pytest.mark.slow)])
def test_an_answers_progress_write_costs_the_same_queries_for_10_and_5000_answers(
    questions, demo_badges, clock, answers, django_assert_num_queries
):
    learner = UserFactory(username=f"busy-{answers}")
    make_history(learner, questions, answers, end=clock.now)
    session = start(learner, questions[:1])
    sq = session.session_questions.get()
    SessionQuestion.objects.filter(pk=sq.pk).update(answered_at=timezone.now(), is_correct=True)
    sq.refresh_from_db()
    before = UserProgress.objects.get(user=learner).total_questions

    # What the quiz flow's signal costs, in the answer's transaction: 1 the answer with its
    # categories, exams and the quiz's previous answer, 2 the progress row locked, 3 the day's
    # activity row, 4 the question's review card, 5 its exams' readiness rows, 6 the badges not
    # unlocked yet, 7 UPDATE user_progress, 8-10 INSERT ... ON CONFLICT DO UPDATE of the day, the
    # card and the readiness rows (an unlocked badge would add its INSERT)
    with django_assert_num_queries(10):
        answer_recorded.send(SessionQuestion, session=session, session_question=sq)

    assert UserProgress.objects.get(user=learner).total_questions == before + 1
