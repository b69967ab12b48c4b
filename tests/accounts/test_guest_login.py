from django.urls import reverse

from accounts.guests import GUEST_SESSION_KEY, guest_merged, merge_guest_into
from accounts.models import User
from quizzes.factories import QuestionFactory
from quizzes.models import Bookmark, ProblemReport, QuizSession, ReportType
from tests.helpers.accounts import PASSWORD


def test_a_guest_who_logs_in_hands_quizzes_and_bookmarks_to_the_account(guest_client, guest, learner):
    guest_quiz = QuizSession.objects.create(user=guest, question_count=1)
    own_quiz = QuizSession.objects.create(user=learner, question_count=1)
    both_bookmarked, only_guest_bookmarked = QuestionFactory(), QuestionFactory()
    Bookmark.objects.create(user=learner, question=both_bookmarked)
    Bookmark.objects.create(user=guest, question=both_bookmarked)
    Bookmark.objects.create(user=guest, question=only_guest_bookmarked)

    response = guest_client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert guest_client.session["_auth_user_id"] == str(learner.pk)
    assert GUEST_SESSION_KEY not in guest_client.session
    assert not User.objects.filter(pk=guest.pk).exists()
    assert set(learner.quiz_sessions.values_list("pk", flat=True)) == {guest_quiz.pk, own_quiz.pk}
    assert sorted(learner.bookmarks.values_list("question_id", flat=True)) == sorted(
        [both_bookmarked.pk, only_guest_bookmarked.pk]
    )


def test_a_login_without_a_guest_changes_nothing_else(client, learner, other_learner):
    QuizSession.objects.create(user=other_learner, question_count=1)

    client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})

    assert User.objects.count() == 2
    assert other_learner.quiz_sessions.count() == 1


def test_a_guest_who_reported_a_problem_can_still_be_merged(guest, learner):
    report = ProblemReport.objects.create(
        question=QuestionFactory(), reporter=guest, type=ReportType.UNCLEAR, description="Option B is ambiguous."
    )

    merge_guest_into(guest=guest, user=learner)

    report.refresh_from_db()
    assert report.reporter_id == learner.pk
    assert not User.objects.filter(pk=guest.pk).exists()


def test_merging_tells_other_apps_before_the_guest_is_deleted(guest, learner):
    seen = []

    def receiver(sender, guest, user, **kwargs):
        seen.append((User.objects.filter(pk=guest.pk).exists(), user.pk))

    guest_merged.connect(receiver)
    try:
        merge_guest_into(guest=guest, user=learner)
    finally:
        guest_merged.disconnect(receiver)

    assert seen == [(True, learner.pk)]
    assert not User.objects.filter(pk=guest.pk).exists()


def test_merging_never_deletes_a_registered_user(learner, other_learner):
    QuizSession.objects.create(user=other_learner, question_count=1)

    merge_guest_into(guest=other_learner, user=learner)

    assert User.objects.filter(pk=other_learner.pk).exists()
    assert other_learner.quiz_sessions.count() == 1
