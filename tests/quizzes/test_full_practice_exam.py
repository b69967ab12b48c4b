"""Exam settings, the blueprint and the full practice exam drawn by it."""

import re
from collections import Counter

import pytest
from django.core.management import call_command

from quizzes.factories import CategoryFactory, QuestionFactory
from quizzes.models import Exam, ExamBlueprint, QuestionCategory, QuizMode, QuizSession
from quizzes.services import allocate_by_weight


@pytest.mark.parametrize("weights, total, expected", [
    ({"a": 20, "b": 20, "c": 25, "d": 10, "e": 15, "f": 10}, 100, {"a": 20, "b": 20, "c": 25, "d": 10, "e": 15, "f": 10}),
    # 10 × (50, 30, 20) = 5, 3, 2 exactly; 7 × ... = 3.5, 2.1, 1.4 → floors 3, 2, 1 and the seat
    # left goes to the largest remainder (a's .5)
    ({"a": 50, "b": 30, "c": 20}, 7, {"a": 4, "b": 2, "c": 1}),
    # 3 × (34, 33, 33) = 1.02, .99, .99 → floors 1, 0, 0; two seats to b and c (.99 each)
    ({"a": 34, "b": 33, "c": 33}, 3, {"a": 1, "b": 1, "c": 1}),
    ({"a": 70, "b": 30}, 1, {"a": 1, "b": 0}),
])
def test_questions_are_split_by_weight_with_largest_remainder_rounding(weights, total, expected):
    allocation = allocate_by_weight(weights, total)

    assert allocation == expected
    assert sum(allocation.values()) == total


@pytest.fixture
def qos(db):
    return CategoryFactory(code="QOS", name="QoS", display_order=2)


@pytest.fixture
def weighted_exam(ccna, ospf, qos):
    ccna.question_count, ccna.duration_minutes, ccna.passing_score = 10, 45, 75
    ccna.save()
    ExamBlueprint.objects.create(exam=ccna, category=ospf, weight_percent=70)
    ExamBlueprint.objects.create(exam=ccna, category=qos, weight_percent=30)
    QuestionFactory.create_batch(9, exams=[ccna], categories=[ospf])
    QuestionFactory.create_batch(5, exams=[ccna], categories=[qos])
    return ccna


def drawn_by_category(session):
    question_ids = session.session_questions.values("question_id")
    return Counter(
        QuestionCategory.objects.filter(question_id__in=question_ids).values_list("category__code", flat=True)
    )


def test_the_exam_page_offers_a_full_practice_exam_with_its_settings(learner_client, weighted_exam):
    body = learner_client.get("/exams/CCNA/").content.decode()

    assert f'<form method="post" action="/exams/CCNA/full/">' in body
    assert ">Take a full practice exam</button>" in body
    assert "10 questions, 45 minutes, pass at 75%" in body
    assert "OSPF: 70%" in body and "QoS: 30%" in body


def test_a_full_practice_exam_follows_the_blueprint_and_the_exam_settings(learner_client, learner, weighted_exam):
    response = learner_client.post("/exams/CCNA/full/")

    session = QuizSession.objects.get(user=learner)
    assert response["Location"] == f"/quiz/{session.pk}/q/1/"
    assert (session.mode, session.exam, session.question_count, session.time_limit_minutes) == (
        QuizMode.EXAM, weighted_exam, 10, 45
    )
    assert drawn_by_category(session) == {"OSPF": 7, "QOS": 3}


def test_a_category_with_too_few_questions_gives_what_it_has_and_the_page_says_so(learner_client, learner, weighted_exam, qos):
    ExamBlueprint.objects.filter(category=qos).update(weight_percent=60)
    ExamBlueprint.objects.filter(exam=weighted_exam).exclude(category=qos).update(weight_percent=40)

    response = learner_client.post("/exams/CCNA/full/", follow=True)

    session = QuizSession.objects.get(user=learner)
    assert drawn_by_category(session) == {"OSPF": 4, "QOS": 5}
    body = response.content.decode()
    assert "The blueprint asks for 6 QoS questions; only 5 are available, so this exam has fewer." in body
    assert "This practice exam has 9 questions instead of 10" in body


def test_without_a_blueprint_the_full_exam_draws_from_the_whole_exam(learner_client, learner, weighted_exam):
    ExamBlueprint.objects.all().delete()

    learner_client.post("/exams/CCNA/full/")

    assert QuizSession.objects.get(user=learner).question_count == 10


def test_a_full_exam_of_an_exam_without_questions_says_so(learner_client, learner):
    from quizzes.factories import ExamFactory

    ExamFactory(code="EMPTY")

    response = learner_client.post("/exams/EMPTY/full/", follow=True)

    assert response.redirect_chain[-1][0] == "/exams/EMPTY/"
    assert "EMPTY has no questions you can take yet." in response.content.decode()
    assert not QuizSession.objects.exists()


def test_a_full_exam_needs_a_post_with_csrf(learner, weighted_exam):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    assert client.get("/exams/CCNA/full/").status_code == 405
    assert client.post("/exams/CCNA/full/").status_code == 403
    assert not QuizSession.objects.exists()


def blueprint_post(exam, rows):
    data = {
        "code": exam.code, "name": exam.name, "description": "", "display_order": 0, "is_active": "on",
        "question_count": 100, "duration_minutes": 120, "passing_score": 82,
        "blueprint-TOTAL_FORMS": len(rows), "blueprint-INITIAL_FORMS": 0,
        "blueprint-MIN_NUM_FORMS": 0, "blueprint-MAX_NUM_FORMS": 1000,
    }
    for index, (category, weight) in enumerate(rows):
        data[f"blueprint-{index}-category"] = str(category.pk)
        data[f"blueprint-{index}-weight_percent"] = str(weight)
    return data


def test_the_admin_edits_the_settings_and_a_blueprint_summing_to_100(admin_client, ccna, ospf, qos):
    url = f"/admin/quizzes/exam/{ccna.pk}/change/"

    response = admin_client.post(url, blueprint_post(ccna, [(ospf, 80), (qos, 20)]))

    assert response.status_code == 302
    ccna.refresh_from_db()
    assert (ccna.question_count, ccna.duration_minutes, ccna.passing_score) == (100, 120, 82)
    assert dict(ExamBlueprint.objects.values_list("category__code", "weight_percent")) == {"OSPF": 80, "QOS": 20}


@pytest.mark.parametrize("rows, message", [
    (lambda ospf, qos: [(ospf, 80), (qos, 30)], "The blueprint&#x27;s weights must sum to 100%; they sum to 110%."),
    (lambda ospf, qos: [(ospf, 50)], "they sum to 50%"),
])
def test_a_blueprint_not_summing_to_100_is_a_form_error(admin_client, ccna, ospf, qos, rows, message):
    response = admin_client.post(f"/admin/quizzes/exam/{ccna.pk}/change/", blueprint_post(ccna, rows(ospf, qos)))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExamBlueprint.objects.exists()


@pytest.mark.parametrize("field, value", [("passing_score", 0), ("passing_score", 101), ("duration_minutes", 0), ("question_count", 101)])
def test_implausible_exam_settings_are_form_errors(admin_client, ccna, ospf, field, value):
    data = blueprint_post(ccna, [])
    data[field] = value

    response = admin_client.post(f"/admin/quizzes/exam/{ccna.pk}/change/", data)

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    ccna.refresh_from_db()
    assert getattr(ccna, field) != value


def test_the_demo_exams_have_real_settings_and_blueprints_summing_to_100(db):
    call_command("load_demo_data", verbosity=0, stdout=open("/dev/null", "w"))

    ccna = Exam.objects.get(code="CCNA")
    assert (ccna.question_count, ccna.duration_minutes, ccna.passing_score) == (100, 120, 82)
    for exam in Exam.objects.all():
        assert sum(exam.blueprint.values_list("weight_percent", flat=True)) == 100
    assert dict(ccna.blueprint.values_list("category__code", "weight_percent"))["IP_CONNECTIVITY"] == 25


def test_a_second_demo_load_changes_no_exam_setting(db):
    from io import StringIO

    call_command("load_demo_data", stdout=StringIO())
    output = StringIO()
    call_command("load_demo_data", stdout=output)

    assert re.search(r"^  exam settings +0 created +0 updated +3 unchanged$", output.getvalue(), re.MULTILINE)


def test_demo_exam_settings_whose_blueprint_does_not_sum_to_100_load_nothing(db, tmp_path, monkeypatch):
    import json

    from django.core.management import CommandError

    from certquiz.management.commands import load_demo_data

    bad = tmp_path / "exam_settings.json"
    bad.write_text(json.dumps({"exams": {"CCNA": {"passing_score": 82, "blueprint": {"OSPF": 60, "QOS": 30}}}}))
    monkeypatch.setattr(load_demo_data, "EXAM_SETTINGS_PATH", bad)

    with pytest.raises(CommandError, match="the blueprint's weights must sum to 100, not 90"):
        call_command("load_demo_data", stdout=open("/dev/null", "w"))

    assert not Exam.objects.exists()


def test_a_free_learner_with_fewer_free_questions_left_gets_a_shorter_exam_by_the_same_blueprint(
    learner_client, weighted_exam, settings
):
    settings.FREE_DAILY_QUESTION_LIMIT = 5

    response = learner_client.post("/exams/CCNA/full/", follow=True)

    session = QuizSession.objects.get()
    assert session.question_count == 5
    # 5 × (70, 30) = 3.5, 1.5 → floors 3, 1; the seat left goes to the first largest remainder.
    assert sum(drawn_by_category(session).values()) == 5 and drawn_by_category(session)["QOS"] >= 1
    assert "You have 5 free questions left today, so this practice exam has 5 of its 10" in response.content.decode()
