"""Learners report a problem on a question: one open report per learner and question."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from quizzes.factories import QuestionFactory
from quizzes.models import ProblemReport, QuestionStatus, ReportStatus
from quizzes.moderation import services as moderation
from tests.helpers.accounts import log_in_guest

HTMX = {"HX-Request": "true"}


def report_url(question, next_url=""):
    url = reverse("report_problem", args=[question.pk])
    return f"{url}?next={next_url}" if next_url else url


def test_a_learner_reports_a_problem_and_goes_back_to_the_question(learner_client, learner, question):
    response = learner_client.post(
        report_url(question),
        {"type": "error", "description": "Option B is also right.", "next": "/quiz/somewhere/q/1/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/quiz/somewhere/q/1/"
    report = ProblemReport.objects.get()
    assert (report.question, report.reporter, report.type, report.description, report.status) == (
        question, learner, "error", "Option B is also right.", ReportStatus.PENDING,
    )


def test_the_dialog_opens_with_htmx_and_answers_with_a_thank_you(learner_client, question):
    response = learner_client.get(report_url(question, "/quiz/x/q/1/"), headers=HTMX)
    assert response.status_code == 200
    assert "<dialog" in response.text and 'aria-labelledby="report-heading"' in response.text
    assert "<html" not in response.text

    response = learner_client.post(
        report_url(question), {"type": "unclear", "description": "Which router?"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Thank you" in response.text and "<dialog" not in response.text
    assert ProblemReport.objects.filter(type="unclear").count() == 1


def test_without_javascript_the_report_is_a_plain_page(learner_client, question):
    response = learner_client.get(report_url(question, "/quiz/x/q/1/"))
    assert response.status_code == 200
    assert "<html" in response.text and "<dialog" not in response.text
    assert 'href="/quiz/x/q/1/"' in response.text  # Cancel goes back


def test_a_second_report_edits_the_open_one(learner_client, learner, question):
    learner_client.post(report_url(question), {"type": "error", "description": "First thought."})
    first = ProblemReport.objects.get()

    response = learner_client.get(report_url(question), headers=HTMX)
    assert "First thought." in response.text and "Update report" in response.text
    learner_client.post(report_url(question), {"type": "outdated", "description": "Second thought."})

    report = ProblemReport.objects.get()
    assert report.pk == first.pk
    assert (report.type, report.description) == ("outdated", "Second thought.")


def test_after_a_report_is_resolved_a_new_one_can_be_filed(learner, admin_user, question):
    report, created = moderation.report_problem(reporter=learner, question=question, type="error", description="A")
    moderation.resolve_report(report=report, reviewer=admin_user, status=ReportStatus.ACCEPTED)

    again, created_again = moderation.report_problem(reporter=learner, question=question, type="error", description="B")

    assert created and created_again and again.pk != report.pk
    assert ProblemReport.objects.filter(reporter=learner).count() == 2


def test_the_database_refuses_a_second_open_report_of_one_learner_on_one_question(learner, question):
    ProblemReport.objects.create(question=question, reporter=learner, type="error", description="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemReport.objects.create(question=question, reporter=learner, type="unclear", description="B")


def test_other_learners_report_the_same_question_separately(learner, other_learner, question):
    moderation.report_problem(reporter=learner, question=question, type="error", description="A")
    moderation.report_problem(reporter=other_learner, question=question, type="error", description="B")
    assert ProblemReport.objects.filter(question=question).count() == 2


@pytest.mark.parametrize(
    "data, field",
    [
        ({"type": "error", "description": "   "}, "description"),
        ({"type": "error", "description": "x" * 2001}, "description"),
        ({"type": "typo", "description": "Wrong"}, "type"),
        ({"description": "Wrong"}, "type"),
    ],
    ids=["blank description", "description too long", "unknown type", "no type"],
)
def test_a_report_needs_a_known_type_and_a_description_of_at_most_2000_characters(learner_client, question, data, field):
    response = learner_client.post(report_url(question), data, headers=HTMX)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not ProblemReport.objects.exists()


def test_a_description_of_exactly_2000_characters_is_accepted(learner_client, question):
    learner_client.post(report_url(question), {"type": "error", "description": "x" * 2000})
    assert ProblemReport.objects.get().description == "x" * 2000


def test_a_visitor_is_sent_to_log_in_first(client, question):
    response = client.get(report_url(question, "/quiz/x/q/1/"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_a_visitor_gets_a_login_prompt_in_the_dialog(client, question):
    response = client.get(report_url(question, "/quiz/x/q/1/"), headers=HTMX)
    assert response.status_code == 200
    assert "Log in to report a problem" in response.text
    assert f'{reverse("account_login")}?next=/quiz/x/q/1/' in response.text


def test_a_guest_practising_without_an_account_cannot_report(client, guest, question):
    log_in_guest(client, guest)
    response = client.post(report_url(question), {"type": "error", "description": "Wrong"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not ProblemReport.objects.exists()


def test_the_service_refuses_a_guest_reporter(guest, question):
    with pytest.raises(moderation.ModerationError):
        moderation.report_problem(reporter=guest, question=question, type="error", description="Wrong")


def test_a_learner_without_premium_cannot_report_a_premium_question(learner_client):
    premium_question = QuestionFactory(is_premium=True)
    response = learner_client.post(report_url(premium_question), {"type": "error", "description": "Wrong"})
    assert response.status_code == 404


def test_a_pending_submission_cannot_be_reported(learner_client):
    pending = QuestionFactory(status=QuestionStatus.PENDING)
    assert learner_client.get(report_url(pending)).status_code == 404


def test_an_archived_question_seen_in_an_old_quiz_can_still_be_reported(learner_client):
    archived = QuestionFactory(status=QuestionStatus.ARCHIVED)
    response = learner_client.post(report_url(archived), {"type": "outdated", "description": "Old IOS"})
    assert response.status_code == 302


def test_a_next_address_on_another_site_is_ignored(learner_client, question):
    response = learner_client.post(
        report_url(question), {"type": "error", "description": "Wrong", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("my_reports")
