import re

import pytest

from quizzes.models import QuizMode, QuizSession
from tests.helpers.accounts import log_in_guest
from tests.helpers.gamification import answer, start


@pytest.fixture
def guest_client(client, guest):
    log_in_guest(client, guest)
    return client


def page(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_without_quizzes_is_invited_to_start_one(client, demo_badges, django_assert_num_queries):
    with django_assert_num_queries(1):  # the badges to earn
        html = page(client)

    assert "Answer your first question" in html
    assert 'href="/quiz/start/"' in html
    assert "First Answer" in html
    assert "Leaderboard of the week" not in html


def test_a_learner_without_answers_sees_the_invitation_and_their_unfinished_quiz(learner_client, learner, questions):
    session = start(learner, questions[:3])

    html = page(learner_client)

    assert "Answer your first question" in html
    assert f'href="/quiz/{session.pk}/"' in html


def test_a_guest_sees_their_own_progress(guest_client, guest, questions):
    session = start(guest, questions[:2])
    answer(session, questions[0])

    html = page(guest_client)

    assert "Questions answered" in html
    assert "Create a free account</a> to join the leaderboard" in html


def test_the_summary_shows_level_xp_to_next_level_streak_accuracy_study_time_and_answers(
    learner_client, learner, questions, clock
):
    session = start(learner, questions[:4])
    for index, question in enumerate(questions[:4]):
        clock.advance(seconds=45)
        answer(session, question, right=index != 0)

    html = page(learner_client)

    assert re.search(r'<progress class="progress xp-bar" max="100" value="32"', html)
    assert "32 XP · 68 XP to level 2" in html
    assert "1 day</p>" in html and "You studied today." in html
    assert "<p class=\"stat\">75%</p>" in html and "75.00%" not in html
    assert '<p class="stat">4</p>' in html
    assert '<p class="stat">3 min</p>' in html


def test_a_missed_day_shows_the_streak_broken(learner_client, learner, questions, clock):
    answer(start(learner, questions[:1]), questions[0])
    clock.advance(days=2)

    assert "0 days</p>" in page(learner_client)


def test_charts_are_svg_with_a_title_a_description_and_a_table(learner_client, learner, questions):
    answer(start(learner, questions[:1]), questions[0])

    html = page(learner_client)

    assert html.count('role="img"') >= 4  # heat-map, accuracy, mastery, readiness sparkline
    for chart in ("heat", "accuracy", "mastery"):
        assert f'<title id="{chart}-title">' in html
        assert f'<desc id="{chart}-desc">' in html
    assert html.count("<table>") >= 3
    assert "<script" not in html.split("<main", 1)[1]  # drawn on the server


def test_recent_quizzes_link_to_resume_or_to_results(learner_client, learner, questions):
    from quizzes.services import finish_session

    done = start(learner, questions[:1])
    answer(done, questions[0])
    finish_session(session=done)
    open_quiz = start(learner, questions[1:3])

    html = page(learner_client)

    assert f'href="/quiz/{done.pk}/results/"' in html
    assert f'href="/quiz/{open_quiz.pk}/"' in html


def test_badges_show_the_unlocked_ones_and_what_the_others_need(learner_client, learner, questions, demo_badges):
    answer(start(learner, questions[:1]), questions[0])

    html = page(learner_client)
    unlocked, locked = html.split("Still to earn", 1)

    assert "First Answer" in unlocked.split('id="badges-heading"', 1)[1]
    assert "Answer 10 questions" in locked and "So far: 1 of 10" in locked
    assert "Study 3 days in a row" in locked
    assert "80% or more right in OSPF after at least 10 answers" in locked


def test_weak_areas_list_the_lowest_accuracy_categories_with_enough_answers(learner_client, learner, questions):
    ospf_only, qos_only = questions[:6], questions[6:10]
    session = start(learner, ospf_only + qos_only)
    for question in ospf_only:
        answer(session, question, right=question is not ospf_only[0])  # 5 of 6: 83%, mastered-level
    for question in qos_only:
        answer(session, question, right=question is qos_only[0])  # 1 of 4: too few answers

    html = page(learner_client)
    assert "No weak area" in html

    extra = start(learner, questions[10:12])  # in both categories, both wrong: QoS 1 of 6
    for question in questions[10:12]:
        answer(extra, question, right=False)
    weak = page(learner_client).split('id="weak-heading"', 1)[1].split("</section>", 1)[0]

    assert "17% of 6" in weak and "62% of 8" in weak
    assert weak.index("QoS") < weak.index("OSPF")  # the lowest accuracy first
    assert 'action="/dashboard/practice/QOS/"' in weak


def test_the_weak_area_button_starts_a_practice_quiz_on_that_category(learner_client, learner, questions, qos):
    response = learner_client.post("/dashboard/practice/QOS/")

    session = QuizSession.objects.get(user=learner)
    assert response.status_code == 302 and response.url == f"/quiz/{session.pk}/q/1/"
    assert (session.category, session.mode, session.question_count) == (qos, QuizMode.PRACTICE, 6)


def test_the_review_button_starts_a_due_review_quiz_of_the_questions_due(learner_client, learner, questions, clock):
    first = start(learner, questions[:3])
    answer(first, questions[1], right=False)
    clock.advance(minutes=5)
    answer(first, questions[0], right=False)
    clock.advance(seconds=10)
    answer(first, questions[2], right=True)  # quickly: Good, due in 2 days
    clock.advance(days=1)
    html = page(learner_client)
    assert "2</strong> questions are due for review" in html
    assert "Review 2 due questions</button>" in html

    response = learner_client.post("/quiz/start/", {"mode": "due_review", "count": 20})

    review = QuizSession.objects.filter(user=learner).latest("started_at")
    assert response.url == f"/quiz/{review.pk}/q/1/"
    assert review.mode == QuizMode.DUE_REVIEW
    # the longest overdue first; the right answer is not due yet
    assert list(review.session_questions.values_list("question_id", flat=True)) == [questions[1].pk, questions[0].pk]


def test_with_nothing_due_the_review_says_when_the_next_question_is(learner_client, learner, questions, clock):
    learner.time_zone = "Europe/Berlin"
    learner.save(update_fields=["time_zone"])
    answer(start(learner, questions[:1]), questions[0], right=False)  # due tomorrow, 13:00 in Berlin

    assert "The next question is due on Tue 4 Mar, 13:00" in page(learner_client)
    assert "due question" not in page(learner_client)  # no button
    response = learner_client.post("/quiz/start/", {"mode": "due_review", "count": 20})

    assert response.status_code == 422
    assert "Nothing is due for review now. The next question is due on Tue 4 Mar at 13:00." in response.content.decode()
    assert QuizSession.objects.filter(user=learner).count() == 1


def test_the_home_page_offers_the_due_questions_in_one_click(learner_client, learner, questions, clock):
    assert "due question" not in learner_client.get("/").content.decode()
    answer(start(learner, questions[:1]), questions[0], right=False)
    clock.advance(days=2)

    html = learner_client.get("/").content.decode()

    assert "Review 1 due question</button>" in html
    assert 'name="mode" value="due_review"' in html


def test_the_navigation_shows_the_due_count_on_every_page_and_starts_the_review(learner_client, learner, questions, clock):
    assert "due</button>" not in learner_client.get("/bookmarks/").content.decode()
    quiz = start(learner, questions[:2])
    for question in questions[:2]:
        answer(quiz, question, right=False)
    clock.advance(days=2)

    html = learner_client.get("/bookmarks/").content.decode()
    nav = html[html.index('aria-label="Main"'):html.index("</nav>")]

    assert 'class="link-button nav-due">Review 2 due</button>' in nav
    assert 'name="mode" value="due_review"' in nav
    response = learner_client.post("/quiz/start/", {"mode": "due_review", "count": 20})
    review = QuizSession.objects.filter(user=learner).latest("started_at")
    assert response.url == f"/quiz/{review.pk}/q/1/" and review.mode == QuizMode.DUE_REVIEW


def test_the_start_form_offers_the_due_review_mode(learner_client):
    assert 'value="due_review"' in learner_client.get("/quiz/start/").content.decode()


def test_the_help_page_states_the_rules_with_their_numbers(client):
    html = client.get("/dashboard/help/").content.decode()

    assert "A right answer earns <strong>10 XP</strong>" in html
    assert "category = weighted accuracy × coverage" in html
    assert "FSRS" in html and "Hard" in html
    assert "Past 99 due questions, the home page and the dashboard show “99+”" in html
