"""The learner's day: dates in their own time zone, one date format, the catalogue in display
order with each exam's categories under it, unfinished quizzes that can be discarded, styled
error pages."""

from datetime import datetime, timezone as dt_timezone

import pytest

from accounts.factories import UserFactory
from quizzes.factories import QuestionFactory
from quizzes.models import Category, Exam, QuizMode, QuizSession
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import correct_option_ids
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import submit

STARTED = datetime(2026, 3, 1, 22, 30, tzinfo=dt_timezone.utc)


@pytest.fixture
def tokyo_learner(db):
    return UserFactory(username="tokyo", time_zone="Asia/Tokyo")


def finished_session(user, started_at=STARTED):
    session = start_session(user=user, mode=QuizMode.PRACTICE, count=2).session
    QuizSession.objects.filter(pk=session.pk).update(started_at=started_at)
    session.refresh_from_db()
    return finish_session(session=session)


def test_results_and_my_quizzes_show_the_learners_own_time(client, tokyo_learner, bank):
    session = finished_session(tokyo_learner)
    client.force_login(tokyo_learner)
    # 22:30 UTC on 1 March is 07:30 on 2 March in Tokyo (+9 h), in the app's one format.
    assert "2 Mar 2026, 07:30" in client.get(f"/quiz/{session.pk}/results/").content.decode()
    history = client.get("/quiz/history/").content.decode()
    assert "2 Mar 2026, 07:30" in history
    assert "22:30" not in history


def test_a_guest_sees_the_browsers_zone_from_its_cookie(client, bank):
    client.cookies["tz"] = "America/New_York"
    client.post("/quiz/start/", {"count": "2", "mode": "practice"})
    session = QuizSession.objects.get()
    assert session.user.time_zone == "America/New_York"  # the guest keeps the browser's zone
    QuizSession.objects.filter(pk=session.pk).update(started_at=STARTED)
    assert "1 Mar 2026, 17:30" in client.get("/quiz/history/").content.decode()


def test_a_cookie_that_is_no_time_zone_falls_back_to_utc(client, bank):
    client.cookies["tz"] = "Mars/Olympus_Mons"
    client.post("/quiz/start/", {"count": "2", "mode": "practice"})
    session = QuizSession.objects.get()
    assert session.user.time_zone == "UTC"
    QuizSession.objects.filter(pk=session.pk).update(started_at=STARTED)
    assert "1 Mar 2026, 22:30" in client.get("/quiz/history/").content.decode()


def test_home_lists_exams_and_their_categories_in_display_order(client, db):
    author = UserFactory()
    encor = Exam.objects.create(code="ENCOR", name="CCNP ENCOR", display_order=2)
    ccna = Exam.objects.create(code="CCNA", name="CCNA", display_order=1)
    routing = Category.objects.create(code="ROUTING", name="Routing", display_order=2)
    basics = Category.objects.create(code="BASICS", name="Network fundamentals", display_order=1)
    QuestionFactory(exams=[ccna], categories=[routing], created_by=author)
    QuestionFactory.create_batch(2, exams=[ccna], categories=[basics], created_by=author)
    QuestionFactory(exams=[encor], categories=[routing], created_by=author)

    catalogue = client.get("/").context["catalogue"]

    assert [(entry.exam.code, [(c.code, n) for c, n in entry.categories]) for entry in catalogue] == [
        ("CCNA", [("BASICS", 2), ("ROUTING", 1)]),
        ("ENCOR", [("ROUTING", 1)]),
    ]


def test_the_exam_page_starts_with_the_actions(client, ccna, bank):
    Exam.objects.filter(pk=ccna.pk).update(description="About the exam " * 50)
    page = client.get("/exams/CCNA/").content.decode()
    assert page.index("Start a quiz on CCNA") < page.index("About the exam")


def test_discarding_an_untouched_quiz_asks_first_then_deletes_it(learner_client, learner, bank):
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=3).session
    confirm = learner_client.get(f"/quiz/{session.pk}/discard/")
    assert confirm.status_code == 200
    assert "will be deleted" in confirm.content.decode()
    assert QuizSession.objects.filter(pk=session.pk).exists()  # the GET changed nothing

    response = learner_client.post(f"/quiz/{session.pk}/discard/")

    assert response.status_code == 302 and response["Location"] == "/quiz/history/"
    assert not QuizSession.objects.filter(pk=session.pk).exists()


def test_discarding_a_practice_quiz_with_answers_ends_it_and_keeps_them(learner_client, learner, bank):
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=3).session
    first = session.session_questions.get(question_order=0)
    submit(session, first, correct_option_ids(first))

    learner_client.post(f"/quiz/{session.pk}/discard/")

    session.refresh_from_db()
    assert session.is_completed and session.score == 1
    assert not learner_client.get("/").context["unfinished"]


def test_an_unfinished_exam_is_deleted_its_answers_never_counted(learner_client, learner, bank):
    session = start_session(user=learner, mode=QuizMode.EXAM, count=3).session
    first = session.session_questions.get(question_order=0)
    submit(session, first, correct_option_ids(first))

    learner_client.post(f"/quiz/{session.pk}/discard/")

    assert not QuizSession.objects.filter(pk=session.pk).exists()


def test_nobody_discards_another_learners_quiz(client, learner, other_learner, bank):
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=3).session
    client.force_login(other_learner)
    assert client.post(f"/quiz/{session.pk}/discard/").status_code == 404
    assert QuizSession.objects.filter(pk=session.pk).exists()


def test_a_missing_page_is_the_sites_own_styled_404(client, settings, db):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can't find that page" in page
    assert 'aria-label="Main"' in page  # with the site's navigation


def test_the_start_form_tells_the_free_questions_left_today(client, learner, bank, settings):
    settings.FREE_DAILY_QUESTION_LIMIT = 3
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=2).session
    first = session.session_questions.get(question_order=0)
    submit(session, first, correct_option_ids(first))
    client.force_login(learner)

    for url in ("/quiz/start/", "/exams/CCNA/"):
        page = client.get(url).content.decode()
        assert "2 free questions left today." in page
        assert 'href="/billing/premium/"' in page or "Premium has no daily limit" in page


def test_a_quiz_longer_than_the_free_questions_left_is_shortened_before_it_starts(client, learner, bank, settings):
    settings.FREE_DAILY_QUESTION_LIMIT = 3
    client.force_login(learner)

    response = client.post("/quiz/start/", {"count": "5", "mode": "practice"}, follow=True)

    assert QuizSession.objects.get().question_count == 3
    assert "You have 3 free questions left today, so the quiz has 3." in response.content.decode()


def test_no_quiz_starts_when_no_free_question_is_left(client, learner, bank, settings):
    settings.FREE_DAILY_QUESTION_LIMIT = 1
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=1).session
    first = session.session_questions.get()
    submit(session, first, correct_option_ids(first))
    client.force_login(learner)

    response = client.post("/quiz/start/", {"count": "5", "mode": "practice"})

    assert response.status_code == 422
    assert "1 free questions. Come back tomorrow" in response.content.decode()
    assert QuizSession.objects.count() == 1


def test_premium_learners_see_nothing_of_the_daily_limit(client, premium_learner, bank, settings):
    settings.FREE_DAILY_QUESTION_LIMIT = 3
    client.force_login(premium_learner)
    assert "free question" not in client.get("/quiz/start/").content.decode()
    client.post("/quiz/start/", {"count": "5", "mode": "practice"})
    assert QuizSession.objects.get().question_count == 5
