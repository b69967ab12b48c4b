from datetime import UTC, datetime

import pytest

from accounts.factories import UserFactory
from gamification import rules, selectors
from gamification.models import LeaderboardProfile
from tests.helpers.accounts import log_in_guest
from tests.helpers.gamification import answer, start


@pytest.fixture
def monday_noon(clock):
    clock.set(datetime(2025, 3, 10, 12, tzinfo=UTC))  # a Monday
    return clock


def earn(user, questions, right, clock):
    session = start(user, questions[:right])
    for question in questions[:right]:
        answer(session, question)


def board(viewer, clock):
    rows = selectors.weekly_leaderboard(viewer, clock.now)
    return [(row.position, row.display_name, row.xp, row.is_me) for row in rows]


def test_only_learners_who_chose_to_appear_are_ranked(learner, other_learner, questions, monday_noon):
    LeaderboardProfile.objects.create(user=learner, display_name="Alice")
    earn(learner, questions, 2, monday_noon)
    earn(other_learner, questions, 5, monday_noon)

    assert board(other_learner, monday_noon) == [(1, "Alice", 20, False)]


def test_the_week_counts_only_xp_earned_since_monday_utc(learner, other_learner, questions, monday_noon):
    for user, name in ((learner, "Alice"), (other_learner, "Mallory")):
        LeaderboardProfile.objects.create(user=user, display_name=name)
    monday_noon.set(datetime(2025, 3, 9, 23, 0, tzinfo=UTC))  # Sunday, last week
    earn(learner, questions, 5, monday_noon)
    monday_noon.set(datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    earn(learner, questions[5:], 1, monday_noon)
    earn(other_learner, questions, 3, monday_noon)

    assert board(learner, monday_noon) == [(1, "Mallory", 30, False), (2, "Alice", 10, True)]


def test_the_viewer_sees_their_own_rank_below_the_top(learner, questions, monday_noon, monkeypatch):
    monkeypatch.setattr(rules, "LEADERBOARD_SIZE", 1)
    LeaderboardProfile.objects.create(user=learner, display_name="Alice")
    for n in range(2):
        rival = UserFactory(username=f"rival{n}")
        LeaderboardProfile.objects.create(user=rival, display_name=f"Rival {n}")
        earn(rival, questions, 3 + n, monday_noon)
    earn(learner, questions, 1, monday_noon)

    assert board(learner, monday_noon) == [(1, "Rival 1", 40, False), (3, "Alice", 10, True)]


def test_a_learner_joins_leaves_and_renames_from_the_dashboard(learner_client, learner):
    response = learner_client.post("/dashboard/leaderboard/", {"show_me": "on", "display_name": "Ace of OSPF"})
    assert response.status_code == 302
    assert LeaderboardProfile.objects.get(user=learner).display_name == "Ace of OSPF"

    learner_client.post("/dashboard/leaderboard/", {"show_me": "on", "display_name": "Alice"})
    assert LeaderboardProfile.objects.get(user=learner).display_name == "Alice"

    learner_client.post("/dashboard/leaderboard/", {"display_name": "Alice"})
    assert not LeaderboardProfile.objects.filter(user=learner).exists()


def test_an_htmx_save_answers_with_the_leaderboard_panel_only(learner_client, learner):
    response = learner_client.post(
        "/dashboard/leaderboard/", {"show_me": "on", "display_name": "Alice"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="leaderboard"')
    assert "you appear as Alice" in html


def test_a_name_taken_by_another_learner_is_refused_whatever_its_case(learner_client, other_learner):
    LeaderboardProfile.objects.create(user=other_learner, display_name="Alice")

    response = learner_client.post(
        "/dashboard/leaderboard/", {"show_me": "on", "display_name": "ALICE"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "Another learner already uses this name." in response.content.decode()


def test_appearing_needs_a_public_name(learner_client, learner):
    response = learner_client.post("/dashboard/leaderboard/", {"show_me": "on"}, headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert not LeaderboardProfile.objects.filter(user=learner).exists()


def test_a_guest_cannot_join_the_leaderboard(client, guest):
    log_in_guest(client, guest)

    response = client.post("/dashboard/leaderboard/", {"show_me": "on", "display_name": "Guesty"})

    assert response.status_code == 403
    assert not LeaderboardProfile.objects.exists()
