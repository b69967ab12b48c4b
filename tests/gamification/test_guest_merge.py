from django.urls import reverse

from gamification.models import UserBadge, UserProgress
from tests.helpers.accounts import PASSWORD, log_in_guest
from tests.helpers.gamification import answer, start


def test_a_guest_who_logs_in_brings_their_progress_and_badges_to_the_account(
    client, guest, learner, questions, demo_badges
):
    own = start(learner, questions[:2])
    answer(own, questions[0])
    answer(own, questions[1], right=False)
    tried = start(guest, questions[2:5])
    for question in questions[2:5]:
        answer(tried, question)
    log_in_guest(client, guest)

    client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})

    progress = UserProgress.objects.get(user=learner)
    assert (progress.total_questions, progress.correct_answers) == (5, 4)
    assert progress.category_stats["OSPF"] == {"attempted": 5, "correct": 4}
    assert list(UserBadge.objects.filter(user=learner).values_list("badge__name", flat=True)) == ["First Answer"]
    assert not UserProgress.objects.filter(user_id=guest.pk).exists()
