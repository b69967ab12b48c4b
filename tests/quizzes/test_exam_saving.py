"""An exam choice is saved when it is made (htmx) and with every way of leaving the question."""

import pytest

from quizzes.models import QuizSession, SessionQuestion, SessionSelectedOption
from quizzes.services import start_session
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids
from tests.helpers.threads import run_at_once


def question(session, number):
    return session.session_questions.select_related("question").get(question_order=number - 1)


def chosen(session, number):
    sq = question(session, number)
    return {
        str(pk)
        for pk in SessionSelectedOption.objects.filter(session=session, question=sq.question).values_list("option_id", flat=True)
    }


def save_url(session, number):
    return f"/quiz/{session.pk}/q/{number}/save/"


@pytest.mark.parametrize(
    "go, lands_on",
    [("next", "/q/3/"), ("previous", "/q/1/"), ("5", "/q/5/"), ("flag", "/q/2/"), ("review", "/review/"), ("pause", "/")],
)
def test_every_way_of_leaving_an_exam_question_saves_the_choice_it_carries(learner_client, exam_session, go, lands_on):
    option_ids = wrong_option_ids(question(exam_session, 2))

    response = learner_client.post(save_url(exam_session, 2), {"option": option_ids, "go": go})

    assert response.status_code == 302
    assert response["Location"].endswith(lands_on)
    assert chosen(exam_session, 2) == set(option_ids)
    assert question(exam_session, 2).answered_at is not None
    exam_session.refresh_from_db()
    assert exam_session.completed_at is None


def test_a_saved_choice_is_shown_checked_on_return(learner_client, exam_session):
    option_id = correct_option_ids(question(exam_session, 1))[0]
    learner_client.post(save_url(exam_session, 1), {"option": [option_id], "go": "next"})

    body = learner_client.get(f"/quiz/{exam_session.pk}/q/1/").content.decode()

    assert f'value="{option_id}"\n                     checked' in body or f'value="{option_id}" checked' in body


def test_a_change_saved_through_htmx_answers_saved_in_a_polite_status(learner_client, exam_session):
    option_ids = correct_option_ids(question(exam_session, 1))

    response = learner_client.post(save_url(exam_session, 1), {"option": option_ids}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved" in body
    assert chosen(exam_session, 1) == set(option_ids)
    # The navigator comes along out of band, question 1 now answered.
    assert 'id="exam-nav" hx-swap-oob="true"' in body
    assert 'aria-label="Question 1, answered, current question"' in body


def test_the_exam_page_saves_on_change_and_leaves_by_submit_buttons_of_the_same_form(learner_client, exam_session):
    body = learner_client.get(f"/quiz/{exam_session.pk}/q/2/").content.decode()

    assert f'hx-post="/quiz/{exam_session.pk}/q/2/save/" hx-trigger="change" hx-target="#save-status"' in body
    assert 'id="save-status" class="small muted save-status" role="status" aria-live="polite"' in body
    for go in ("previous", "next", "flag", "review", "pause", "1", "5"):
        assert f'form="exam-form" name="go" value="{go}"' in body
    assert "Change answer" not in body and "Check answer" not in body and "Submit answer" not in body


def test_practice_mode_keeps_its_check_answer_step(learner_client, practice_session):
    body = learner_client.get(f"/quiz/{practice_session.pk}/q/1/").content.decode()

    assert "Check answer" in body
    assert "/save/" not in body


def test_a_move_without_a_choice_happens_stores_nothing_and_says_why(learner_client, exam_session):
    response = learner_client.post(save_url(exam_session, 2), {"go": "next"}, follow=True)

    assert response.redirect_chain[-1][0].endswith("/q/3/")
    assert "No answer was chosen on question 2" in response.content.decode()
    assert chosen(exam_session, 2) == set()
    assert question(exam_session, 2).answered_at is None


def test_a_move_without_a_choice_keeps_the_answer_given_before(learner_client, exam_session):
    option_ids = wrong_option_ids(question(exam_session, 2))
    learner_client.post(save_url(exam_session, 2), {"option": option_ids, "go": "next"})

    learner_client.post(save_url(exam_session, 2), {"go": "next"})

    assert chosen(exam_session, 2) == set(option_ids)


def test_a_move_with_an_option_of_another_question_happens_stores_nothing_and_says_why(learner_client, exam_session):
    stale = correct_option_ids(question(exam_session, 1))

    response = learner_client.post(save_url(exam_session, 2), {"option": stale, "go": "next"}, follow=True)

    assert response.redirect_chain[-1][0].endswith("/q/3/")
    assert "Your choice on question 2 was not saved" in response.content.decode()
    assert not SessionSelectedOption.objects.filter(session=exam_session).exists()
    assert question(exam_session, 2).answered_at is None


@pytest.mark.parametrize("go", ["99", "0", "-1", "²", "٣", "9" * 400, "nonsense", ""])
def test_a_move_to_a_number_outside_the_exam_or_a_garbled_move_stays_on_the_question(learner_client, exam_session, go):
    response = learner_client.post(save_url(exam_session, 2), {"go": go, "walk": "x" * 500})

    assert response.status_code == 302
    assert response["Location"] == f"/quiz/{exam_session.pk}/q/2/"


def test_the_save_needs_a_csrf_token(learner, exam_session):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    option_ids = correct_option_ids(question(exam_session, 1))

    response = client.post(save_url(exam_session, 1), {"option": option_ids, "go": "next"})

    assert response.status_code == 403
    assert chosen(exam_session, 1) == set()


def test_another_learner_cannot_save_into_the_exam(client, other_learner, exam_session):
    client.force_login(other_learner)

    response = client.post(save_url(exam_session, 1), {"option": correct_option_ids(question(exam_session, 1))})

    assert response.status_code == 404
    assert not SessionSelectedOption.objects.filter(session=exam_session).exists()


@pytest.mark.django_db(transaction=True)
def test_two_tabs_answering_the_same_question_leave_the_last_choice_and_no_duplicate(learner, bank):
    from django.test import Client

    session = start_session(user=learner, mode="exam", count=3).session
    sq = session.session_questions.select_related("question").filter(question__type="single").first()
    number = sq.question_order + 1
    options = [str(pk) for pk in sq.question.options.values_list("pk", flat=True)]
    clients = []
    for _ in options:
        client = Client()
        client.force_login(learner)
        clients.append(client)

    def save(client, option_id):
        return client.post(save_url(session, number), {"option": [option_id]}, headers={"HX-Request": "true"})

    responses = run_at_once(save, list(zip(clients, options)))

    assert [response.status_code for response in responses] == [200] * len(options)
    stored = list(SessionSelectedOption.objects.filter(session=session).values_list("option_id", flat=True))
    assert len(stored) == 1  # a single-answer question: one choice, never one per tab
    # The last save to commit wins: it stamped the answer last, and its choice is the one kept.
    sq.refresh_from_db()
    assert SessionQuestion.objects.filter(session=session, answered_at__isnull=False).count() == 1

    client = Client()
    client.force_login(learner)
    client.post(save_url(session, number), {"option": [options[0]]}, headers={"HX-Request": "true"})
    client.post(save_url(session, number), {"option": [options[1]]}, headers={"HX-Request": "true"})
    assert [str(pk) for pk in SessionSelectedOption.objects.filter(session=session).values_list("option_id", flat=True)] == [options[1]]
    assert QuizSession.objects.get(pk=session.pk).completed_at is None


def test_a_premium_question_locked_in_an_exam_can_be_left_and_records_nothing(learner_client, learner, ccna, ospf):
    from quizzes.factories import QuestionFactory

    from quizzes.models import Question

    QuestionFactory.create_batch(2, exams=[ccna], categories=[ospf])
    session = start_session(user=learner, mode="exam", count=2).session
    # A question made premium after it was drawn: the learner without premium sees it locked.
    locked = session.session_questions.select_related("question").get(question_order=0)
    Question.objects.filter(pk=locked.question_id).update(is_premium=True)
    option = str(locked.question.options.first().pk)

    page = learner_client.get(f"/quiz/{session.pk}/q/1/")
    response = learner_client.post(save_url(session, 1), {"option": [option], "go": "next"})

    assert "This is a premium question" in page.content.decode()
    assert 'id="exam-form"' in page.content.decode()
    assert response.status_code == 302 and response["Location"].endswith("/q/2/")
    assert not SessionSelectedOption.objects.filter(session=session).exists()
