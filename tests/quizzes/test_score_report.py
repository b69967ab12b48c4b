"""The results of an exam read like a score report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from quizzes.factories import CategoryFactory, QuestionFactory
from quizzes.models import ExamBlueprint, QuizMode, SessionQuestion
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids, submit
from quizzes.services import finish_session, start_session
from tests.quizzes.test_query_budgets import make_bank


@pytest.fixture
def qos(db):
    return CategoryFactory(code="QOS", name="QoS", display_order=2)


@pytest.fixture
def blueprint_exam(ccna, ospf, qos):
    ccna.passing_score = 60
    ccna.save()
    ExamBlueprint.objects.create(exam=ccna, category=ospf, weight_percent=70)
    ExamBlueprint.objects.create(exam=ccna, category=qos, weight_percent=30)
    QuestionFactory.create_batch(3, exams=[ccna], categories=[ospf])
    QuestionFactory.create_batch(2, exams=[ccna], categories=[qos])
    return ccna


def finished_exam(learner, exam, right: int):
    session = start_session(user=learner, mode=QuizMode.EXAM, exam=exam, count=5, time_limit_minutes=30).session
    for sq in session.session_questions.select_related("question"):
        ids = correct_option_ids(sq) if sq.question_order < right else wrong_option_ids(sq)
        submit(session, sq, ids)
    return finish_session(session=session)


@pytest.mark.parametrize("right, verdict", [(3, "Pass"), (2, "Fail")])
def test_the_verdict_is_pass_or_fail_against_the_exams_passing_score(learner_client, learner, blueprint_exam, right, verdict):
    session = finished_exam(learner, blueprint_exam, right)

    body = learner_client.get(f"/quiz/{session.pk}/results/").content.decode()

    percentage = right * 20
    assert f"</span> {verdict}: you scored {percentage}%, the passing score for CCNA is 60%." in body
    assert ("✔" if verdict == "Pass" else "✘") in body.split(verdict + ":")[0][-60:]


def test_a_practice_quiz_has_no_verdict(learner_client, learner, blueprint_exam):
    session = start_session(user=learner, exam=blueprint_exam, count=2).session
    finish_session(session=session)

    body = learner_client.get(f"/quiz/{session.pk}/results/").content.decode()

    assert "pass-fail" not in body


def test_the_score_by_category_stands_against_the_blueprint(learner_client, learner, blueprint_exam):
    session = finished_exam(learner, blueprint_exam, 5)

    response = learner_client.get(f"/quiz/{session.pk}/results/")

    rows = {row["category"].code: (row["weight"], row["total"], row["correct"]) for row in response.context["breakdown"]}
    assert rows == {"OSPF": (70, 3, 3), "QOS": (30, 2, 2)}
    body = response.content.decode()
    assert "Blueprint weight" in body and "<td>70%</td>" in body and "<td>30%</td>" in body


def test_time_is_shown_per_question_and_in_all(learner_client, learner, blueprint_exam):
    session = finished_exam(learner, blueprint_exam, 5)
    start = session.started_at
    for sq in session.session_questions.all():
        SessionQuestion.objects.filter(pk=sq.pk).update(answered_at=start + timedelta(seconds=30 * (sq.question_order + 1)))
    session.completed_at = start + timedelta(minutes=3)
    session.save(update_fields=["completed_at"])

    response = learner_client.get(f"/quiz/{session.pk}/results/")

    assert [view.time_spent for view in response.context["views"]] == [timedelta(seconds=30)] * 5
    body = response.content.decode()
    assert body.count("Time on this question: 30 s") == 5
    assert "3 min 00 s" in body


def test_wrong_only_shows_the_wrong_and_unanswered_questions(learner_client, learner, blueprint_exam):
    session = finished_exam(learner, blueprint_exam, 3)

    everything = learner_client.get(f"/quiz/{session.pk}/results/")
    wrong = learner_client.get(f"/quiz/{session.pk}/results/?show=wrong")

    assert len(everything.context["views"]) == 5
    assert [view.number for view in wrong.context["views"]] == [4, 5]
    assert wrong.content.decode().count("review-item") == 2
    assert 'href="?show=wrong"' not in wrong.content.decode()
    assert f'href="/quiz/{session.pk}/results/?show=wrong" aria-current="page">Wrong only</a>' in wrong.content.decode()


def test_each_question_shows_its_detailed_explanation_and_any_option_explanation(learner_client, learner, ccna, ospf):
    QuestionFactory(exams=[ccna], categories=[ospf], detailed_explanation="Option 2 is the **broadcast** of another subnet.")
    session = start_session(user=learner, mode=QuizMode.EXAM, exam=ccna, count=1).session
    finish_session(session=session)

    response = learner_client.get(f"/quiz/{session.pk}/results/")

    assert "<strong>broadcast</strong> of another subnet" in response.content.decode()


def test_retry_mistakes_is_offered_with_the_count(learner_client, learner, blueprint_exam):
    session = finished_exam(learner, blueprint_exam, 3)

    body = learner_client.get(f"/quiz/{session.pk}/results/").content.decode()
    response = learner_client.post(f"/quiz/{session.pk}/retry/")

    assert ">Retry mistakes (2)</button>" in body
    retry = learner.quiz_sessions.exclude(pk=session.pk).get()
    assert response["Location"] == f"/quiz/{retry.pk}/q/1/"
    assert retry.question_count == 2


@pytest.mark.parametrize("size", [5, 100])
def test_the_score_report_costs_the_same_queries_for_5_and_100_questions(
    client, ccna, ospf, qos, django_assert_num_queries, size, settings
):
    settings.FREE_DAILY_QUESTION_LIMIT = 0  # a 100-question exam, whatever the free daily limit
    make_bank(100, ccna, ospf, UserFactory(username="author"))
    ExamBlueprint.objects.create(exam=ccna, category=ospf, weight_percent=80)
    ExamBlueprint.objects.create(exam=ccna, category=qos, weight_percent=20)
    learner = UserFactory(username="examinee")
    session = start_session(user=learner, mode=QuizMode.EXAM, exam=ccna, count=size, time_limit_minutes=60).session
    SessionQuestion.objects.filter(session=session, question_order__lt=3).update(answered_at=timezone.now(), is_correct=True)
    finish_session(session=session)
    client.force_login(learner)

    # 1 the login's session (django_session), 2 the user with their subscription, 3 the quiz
    # session with its exam and category; review_views: 4 the session's questions with their
    # question, 5 their options, 6 the learner's choices, 7 their bookmarks; category_breakdown:
    # 8 each question's result, 9 their category links with the category; 10 the exam's
    # blueprint with its categories (blueprint_breakdown); 11 the navigation's count of review
    # cards due.
    with django_assert_num_queries(11):
        response = client.get(f"/quiz/{session.pk}/results/")

    assert response.status_code == 200
    assert response.content.decode().count("review-item") == size


def test_an_exam_of_no_one_exam_is_judged_against_the_default_passing_score(learner_client, learner, bank):
    session = start_session(user=learner, mode=QuizMode.EXAM, count=2).session
    finish_session(session=session)

    body = learner_client.get(f"/quiz/{session.pk}/results/").content.decode()

    assert "</span> Fail: you scored 0%, the passing score is 70%." in body
