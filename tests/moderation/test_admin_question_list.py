"""The question list in the admin: filters, search by text and tag, and the moderation actions."""

import pytest
from django.urls import reverse

from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import ProblemReport, Question, QuestionHistory, QuestionStatus, ReportStatus

LIST = "/admin/quizzes/question/"


def listed(client, query=""):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return {question.pk for question in response.context["cl"].result_list}


@pytest.fixture
def questions(learner):
    ccna, encor = ExamFactory(code="CCNA"), ExamFactory(code="ENCOR")
    ospf, bgp = CategoryFactory(code="OSPF"), CategoryFactory(code="BGP")
    return {
        "ospf": QuestionFactory(question_text="What is an OSPF area?", exams=[ccna], categories=[ospf], tags=["ospf", "areas"]),
        "bgp": QuestionFactory(question_text="What is an AS path?", exams=[encor], categories=[bgp], tags=["bgp"]),
        "premium": QuestionFactory(question_text="Premium one", exams=[encor], is_premium=True, tags=["ospf-advanced"]),
        "pending": QuestionFactory(
            question_text="Submitted one", status=QuestionStatus.PENDING, is_user_generated=True, created_by=learner
        ),
        "archived": QuestionFactory(question_text="Old one", status=QuestionStatus.ARCHIVED),
    }


def test_filters_by_status_exam_category_premium_and_user_generated(staff_client, questions):
    ccna = ExamFactory(code="CCNA")
    bgp = CategoryFactory(code="BGP")
    assert listed(staff_client, "status__exact=pending") == {questions["pending"].pk}
    assert listed(staff_client, "status__exact=archived") == {questions["archived"].pk}
    assert listed(staff_client, f"exams__id__exact={ccna.pk}") == {questions["ospf"].pk}
    assert listed(staff_client, f"categories__id__exact={bgp.pk}") == {questions["bgp"].pk}
    assert listed(staff_client, "is_premium__exact=1") == {questions["premium"].pk}
    assert listed(staff_client, "is_user_generated__exact=1") == {questions["pending"].pk}


def test_filter_by_open_reports(staff_client, learner, admin_user, questions):
    ProblemReport.objects.create(question=questions["bgp"], reporter=learner, type="error", description="x")
    ProblemReport.objects.create(
        question=questions["ospf"], reporter=learner, type="error", description="y", status=ReportStatus.REJECTED
    )
    assert listed(staff_client, "open_reports=yes") == {questions["bgp"].pk}
    assert questions["bgp"].pk not in listed(staff_client, "open_reports=no")
    response = staff_client.get(LIST)
    assert f'{reverse("admin:quizzes_problemreport_queue")}?question={questions["bgp"].pk}' in response.text


def test_search_finds_text_and_exact_tags(staff_client, questions):
    assert listed(staff_client, "q=AS+path") == {questions["bgp"].pk}
    assert listed(staff_client, "q=ospf") == {questions["ospf"].pk}  # the tag, and "OSPF" in its text
    assert listed(staff_client, "q=areas") == {questions["ospf"].pk}  # the tag only
    assert listed(staff_client, "q=ospf-advanced") == {questions["premium"].pk}
    assert listed(staff_client, "q=area") == {questions["ospf"].pk}  # the text, not a partial tag
    assert listed(staff_client, "q=advanced") == set()  # a tag matches whole, never in part


def run_action(client, action, questions):
    return client.post(LIST, {"action": action, "_selected_action": [str(question.pk) for question in questions]})


def test_approve_makes_pending_questions_active_and_leaves_the_others(staff_client, admin_user, questions):
    response = run_action(staff_client, "approve", [questions["pending"], questions["archived"]])
    assert response.status_code == 302
    assert Question.objects.get(pk=questions["pending"].pk).status == QuestionStatus.ACTIVE
    assert Question.objects.get(pk=questions["archived"].pk).status == QuestionStatus.ARCHIVED
    entry = QuestionHistory.objects.get()
    assert (entry.question_id, entry.version, entry.edited_by) == (questions["pending"].pk, 2, admin_user)
    assert entry.changes == {"status": {"old": "pending", "new": "active"}}


def test_archive_and_mark_premium_write_history(staff_client, questions):
    run_action(staff_client, "archive", [questions["ospf"], questions["archived"]])
    run_action(staff_client, "mark_premium", [questions["ospf"], questions["premium"]])
    ospf = Question.objects.get(pk=questions["ospf"].pk)
    assert (ospf.status, ospf.is_premium, ospf.version) == (QuestionStatus.ARCHIVED, True, 3)
    assert list(QuestionHistory.objects.order_by("version").values_list("question_id", "changes")) == [
        (ospf.pk, {"status": {"old": "active", "new": "archived"}}),
        (ospf.pk, {"is_premium": {"old": False, "new": True}}),
    ]
