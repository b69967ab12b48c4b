"""Admins resolve problem reports in the queue or on a report's page, with a comment the learner reads."""

import pytest
from django.urls import reverse

from quizzes.factories import QuestionFactory
from quizzes.models import ProblemReport, ReportStatus
from quizzes.moderation import services as moderation

QUEUE = "/admin/quizzes/problemreport/queue/"


@pytest.fixture
def report(learner, question):
    report, _ = moderation.report_problem(
        reporter=learner, question=question, type="error", description="Option 2 is also right."
    )
    return report


def test_the_queue_lists_pending_reports_with_their_question(staff_client, report, other_learner):
    resolved = ProblemReport.objects.create(
        question=QuestionFactory(question_text="Resolved question?"), reporter=other_learner, type="unclear",
        description="Done already", status=ReportStatus.ACCEPTED,
    )
    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    text = response.text
    assert "Option 2 is also right." in text
    assert "Which OSPF packet discovers neighbours?" in text
    assert "✔ correct:" in text and "Option 1" in text  # the options, right and wrong
    assert reverse("admin:quizzes_question_change", args=[report.question_id]) in text
    assert "Done already" not in text and resolved.question.question_text not in text


def test_the_queue_can_show_one_questions_reports(staff_client, report, other_learner):
    other = ProblemReport.objects.create(question=QuestionFactory(), reporter=other_learner, type="error", description="Other one")
    response = staff_client.get(f"{QUEUE}?question={report.question_id}")
    assert "Option 2 is also right." in response.text and "Other one" not in response.text
    assert other.pk


def test_rejecting_needs_a_comment(staff_client, report):
    response = staff_client.post(QUEUE, {"report": str(report.pk), "decision": "rejected", "admin_comment": "  "})
    assert response.status_code == 422
    assert "Say why the report is rejected" in response.text
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING


def test_rejecting_with_a_comment_sets_the_reviewer_and_the_time(staff_client, admin_user, report):
    response = staff_client.post(
        QUEUE, {"report": str(report.pk), "decision": "rejected", "admin_comment": "Only option 1 is an OSPF packet."}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED
    assert report.admin_comment == "Only option 1 is an OSPF packet."
    assert report.reviewed_by == admin_user
    assert report.resolved_at is not None
    assert "Option 2 is also right." not in staff_client.get(QUEUE).text


def test_accepting_needs_no_comment(staff_client, admin_user, report):
    staff_client.post(QUEUE, {"report": str(report.pk), "decision": "accepted", "admin_comment": ""})
    report.refresh_from_db()
    assert (report.status, report.admin_comment, report.reviewed_by) == (ReportStatus.ACCEPTED, None, admin_user)


def test_the_learner_sees_the_outcome_on_my_reports(staff_client, client, learner, report):
    staff_client.post(QUEUE, {"report": str(report.pk), "decision": "rejected", "admin_comment": "It is right as is."})
    client.force_login(learner)
    text = client.get(reverse("my_reports")).text
    assert "Rejected" in text and "It is right as is." in text


def test_the_report_page_resolves_with_its_buttons(staff_client, admin_user, report):
    url = reverse("admin:quizzes_problemreport_change", args=[report.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'name="decision" value="accepted"' in page.text and 'name="decision" value="rejected"' in page.text
    assert "Option 2 is also right." in page.text and "Which OSPF packet discovers neighbours?" in page.text

    response = staff_client.post(url, {"decision": "rejected", "admin_comment": ""})
    assert response.status_code == 200
    assert "Say why the report is rejected" in response.text

    response = staff_client.post(url, {"decision": "accepted", "admin_comment": "Fixed, thanks!"})
    assert response.status_code == 302 and response["Location"] == QUEUE
    report.refresh_from_db()
    assert (report.status, report.admin_comment, report.reviewed_by) == (ReportStatus.ACCEPTED, "Fixed, thanks!", admin_user)
    assert report.resolved_at is not None


def test_saving_only_the_comment_keeps_the_report_open(staff_client, report):
    url = reverse("admin:quizzes_problemreport_change", args=[report.pk])
    staff_client.post(url, {"admin_comment": "Looking into it", "_continue": "1"})
    report.refresh_from_db()
    assert (report.status, report.admin_comment, report.resolved_at) == (ReportStatus.PENDING, "Looking into it", None)


def test_the_report_list_links_to_the_queue(staff_client, report):
    assert QUEUE in staff_client.get("/admin/quizzes/problemreport/").text


def test_the_service_refuses_a_rejection_without_a_comment(admin_user, report):
    with pytest.raises(moderation.ModerationError):
        moderation.resolve_report(report=report, reviewer=admin_user, status=ReportStatus.REJECTED, comment="")
    with pytest.raises(moderation.ModerationError):
        moderation.resolve_report(report=report, reviewer=admin_user, status=ReportStatus.PENDING)
