"""A learner sees their own reports with each status and the admin's comment."""

from django.urls import reverse

from quizzes.factories import QuestionFactory
from quizzes.models import ProblemReport, ReportStatus
from quizzes.moderation import services as moderation


def test_my_reports_shows_each_status_and_the_admins_comment(learner_client, learner, admin_user, question):
    other = QuestionFactory(question_text="What is the OSPF hello interval?")
    open_report, _ = moderation.report_problem(reporter=learner, question=question, type="error", description="B too")
    rejected, _ = moderation.report_problem(reporter=learner, question=other, type="unclear", description="Which link?")
    moderation.resolve_report(report=rejected, reviewer=admin_user, status=ReportStatus.REJECTED, comment="It says Ethernet.")

    response = learner_client.get(reverse("my_reports"))

    assert response.status_code == 200
    text = response.text
    assert "Which OSPF packet discovers neighbours?" in text and "What is the OSPF hello interval?" in text
    assert "Pending" in text and "Rejected" in text
    assert "It says Ethernet." in text
    assert f'{reverse("report_problem", args=[question.pk])}?next=' in text  # the open one can be edited


def test_my_reports_shows_only_my_own(learner_client, other_learner, question):
    ProblemReport.objects.create(question=question, reporter=other_learner, type="error", description="Secret")
    response = learner_client.get(reverse("my_reports"))
    assert "Secret" not in response.text
    assert "You have not reported any problem yet." in response.text


def test_my_reports_needs_an_account(client):
    response = client.get(reverse("my_reports"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_my_reports_costs_the_same_queries_for_more_reports(learner_client, learner, django_assert_max_num_queries):
    for _ in range(3):
        ProblemReport.objects.create(question=QuestionFactory(), reporter=learner, type="error", description="x")
    # 1 django session, 2 user, 3 the navigation's count of review cards due, 4 count, 5 reports with
    # their questions
    with django_assert_max_num_queries(5):
        learner_client.get(reverse("my_reports"))


def test_the_account_page_links_to_reports_and_submissions(learner_client):
    text = learner_client.get(reverse("account")).text
    for name in ("my_reports", "submit_question", "my_submissions"):
        assert f'href="{reverse(name)}"' in text
