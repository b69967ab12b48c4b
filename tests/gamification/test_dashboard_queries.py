import pytest

from accounts.factories import UserFactory
from gamification.models import LeaderboardProfile
from tests.gamification.conftest import answer, make_history, start


@pytest.mark.parametrize("answers", [10, 5000])
def test_the_dashboard_costs_the_same_queries_for_10_and_5000_answers(
    client, questions, demo_badges, clock, answers, django_assert_num_queries
):
    """Everything is aggregated in SQL (days, categories, exams, badges come back; answers only from
    the last weeks): no query per answer, day, category, exam or badge. Nothing is cached yet: the
    exam -> categories map and the summary of the older answers cost a query each."""
    learner = UserFactory(username=f"busy-{answers}")
    rival = UserFactory(username=f"rival-{answers}")
    for person in (learner, rival):
        make_history(person, questions, answers, end=clock.now)
        LeaderboardProfile.objects.create(user=person, display_name=person.username)
    client.force_login(learner)

    # 1 django session, 2 user, 3 progress, 4 categories, 5 recent answers, 6 summary of the older
    # answers, 7 exam -> categories, 8 daily activity (heat-map and accuracy chart), 9 badges with
    # unlock dates, 10 recent sessions, 11 own leaderboard profile, 12 weekly leaderboard
    with django_assert_num_queries(12):
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
    learner_client.get("/dashboard/")  # caches the older answers' summary and the exam -> categories map
    answer(session, questions[1])

    # the first view's 12 less the two cached: the summary is still good after a new answer
    with django_assert_num_queries(10):
        learner_client.get("/dashboard/")
    with django_assert_num_queries(8):
        learner_client.get("/dashboard/")
