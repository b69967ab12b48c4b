"""Only staff reach the admin: learners, guests and visitors reach none of the moderation pages."""

import pytest
from django.urls import reverse

from quizzes.models import ProblemReport, ReportStatus
from quizzes.moderation import services as moderation


@pytest.fixture
def report(learner, question):
    return moderation.report_problem(reporter=learner, question=question, type="error", description="Wrong")[0]


def admin_paths(question, report):
    return [
        "/admin/quizzes/problemreport/queue/",
        reverse("admin:quizzes_problemreport_change", args=[report.pk]),
        reverse("admin:quizzes_question_change", args=[question.pk]),
        reverse("admin:quizzes_question_restore", args=[question.pk, 1]),
        "/admin/quizzes/question/",
        "/admin/quizzes/questionhistory/",
    ]


def test_a_learner_reaches_no_moderation_page_of_the_admin(learner_client, question, report):
    for path in admin_paths(question, report):
        response = learner_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login")), path


def test_a_visitor_reaches_none_either(client, question, report):
    for path in admin_paths(question, report):
        assert client.get(path)["Location"].startswith(reverse("admin:login")), path


def test_a_learner_cannot_resolve_a_report_by_posting(learner_client, report):
    response = learner_client.post(
        "/admin/quizzes/problemreport/queue/", {"report": str(report.pk), "decision": "rejected", "admin_comment": "No"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_a_learner_cannot_restore_a_version_by_posting(learner_client, question):
    response = learner_client.post(reverse("admin:quizzes_question_restore", args=[question.pk, 1]))
    assert response.status_code == 302
    assert not question.history.exists()


def test_a_learner_sees_no_admin_link(learner_client):
    assert reverse("admin:index") not in learner_client.get("/").text


def test_reports_of_others_cannot_be_read_by_a_learner(learner_client, other_learner, question):
    ProblemReport.objects.create(question=question, reporter=other_learner, type="error", description="Private")
    assert "Private" not in learner_client.get(reverse("my_reports")).text
