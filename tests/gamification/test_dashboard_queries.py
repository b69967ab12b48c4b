import pytest

from accounts.factories import UserFactory
from gamification.models import LeaderboardProfile
from tests.gamification.conftest import make_history


@pytest.mark.parametrize("answers", [10, 5000])
def test_the_dashboard_costs_the_same_queries_for_10_and_5000_answers(
    client, questions, demo_badges, clock, answers, django_assert_num_queries
):
    """Everything is aggregated in SQL (days, categories, exams, badges come back, never answers):
    no query per answer, day, category, exam or badge."""
    learner = UserFactory(username=f"busy-{answers}")
    rival = UserFactory(username=f"rival-{answers}")
    for person in (learner, rival):
        make_history(person, questions, answers, end=clock.now)
        LeaderboardProfile.objects.create(user=person, display_name=person.username)
    client.force_login(learner)

    # 1 django session, 2 user, 3 progress, 4 categories, 5 daily activity (heat-map and accuracy
    # chart), 6 exam readiness, 7 badges with unlock dates, 8 smart review, 9 recent sessions,
    # 10 own leaderboard profile, 11 weekly leaderboard
    with django_assert_num_queries(11):
        response = client.get("/dashboard/")

    assert response.status_code == 200
    assert f"{answers:,}" in response.content.decode()  # questions answered
