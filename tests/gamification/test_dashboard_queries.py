import pytest

from accounts.factories import UserFactory
from gamification.models import LeaderboardProfile
from tests.gamification.conftest import answer, make_history, start


@pytest.mark.parametrize("answers", [10, 5000])
def test_the_dashboard_costs_the_same_queries_for_10_and_5000_answers(
    client, questions, demo_badges, clock, answers, django_assert_num_queries
):
    """Everything is aggregated in SQL (days, categories, exams, badges come back, never answers):
    no query per answer, day, category, exam or badge. The exam -> categories map is not cached yet
    (the questions were just created): the readiness query computes it, with no query of its own."""
    learner = UserFactory(username=f"busy-{answers}")
    rival = UserFactory(username=f"rival-{answers}")
    for person in (learner, rival):
        make_history(person, questions, answers, end=clock.now)
        LeaderboardProfile.objects.create(user=person, display_name=person.username)
    client.force_login(learner)

    # 1 django session, 2 user, 3 progress, 4 categories, 5 exam readiness, 6 daily activity
    # (heat-map and accuracy chart), 7 smart review, 8 badges with unlock dates, 9 recent sessions,
    # 10 own leaderboard profile, 11 weekly leaderboard
    with django_assert_num_queries(11):
        response = client.get("/dashboard/")

    assert response.status_code == 200
    assert f"{answers:,}" in response.content.decode()  # questions answered

    # Seen again without a new answer: activity, readiness and review come from the cache.
    with django_assert_num_queries(8):
        again = client.get("/dashboard/")

    assert f"{answers:,}" in again.content.decode()


def test_an_answer_costs_the_next_dashboard_the_same_queries_as_the_first(
    learner_client, learner, questions, demo_badges, clock, django_assert_num_queries
):
    session = start(learner, questions[:2])
    answer(session, questions[0])
    learner_client.get("/dashboard/")  # caches the history figures and the exam -> categories map
    answer(session, questions[1])

    with django_assert_num_queries(11):
        learner_client.get("/dashboard/")
    with django_assert_num_queries(8):
        learner_client.get("/dashboard/")
