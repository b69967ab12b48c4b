"""Learners submit questions: stored pending for review, credited to them, with the option rules."""

import pytest
from django.urls import reverse

from quizzes.factories import QuestionFactory
from quizzes.models import Question, QuestionStatus
from quizzes.moderation import services as moderation
from tests.helpers.accounts import log_in_guest

URL = "/questions/submit/"


def submission(options, *, type="single", exams=(), categories=(), tags="", **extra):
    """POST data: options as (text, is_correct) pairs in the first rows of the eight."""
    data = {
        "question_text": "Which command shows the OSPF neighbours?",
        "type": type,
        "explanation": "`show ip ospf neighbor` lists them.",
        "exams": [str(exam.pk) for exam in exams],
        "categories": [str(category.pk) for category in categories],
        "tags": tags,
        "options-TOTAL_FORMS": "8",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "8",
        **extra,
    }
    for index, (text, is_correct) in enumerate(options):
        data[f"options-{index}-text"] = text
        if is_correct:
            data[f"options-{index}-is_correct"] = "on"
    return data


def test_the_form_shows_eight_option_rows(learner_client):
    response = learner_client.get(URL)
    assert response.status_code == 200
    assert 'name="options-7-text"' in response.text and 'name="options-8-text"' not in response.text


def test_a_learners_question_is_stored_pending_and_credited_to_them(learner_client, learner, ccna, encor, ospf):
    data = submission(
        [("show ip ospf neighbor", True), ("show ip route", False), ("", False), ("show ip protocols", False)],
        exams=[ccna, encor],
        categories=[ospf],
        tags="OSPF,  Neighbours , ospf",
    )
    response = learner_client.post(URL, data)

    assert response.status_code == 302 and response["Location"] == reverse("my_submissions")
    question = Question.objects.get()
    assert question.status == QuestionStatus.PENDING
    assert question.is_user_generated
    assert (question.created_by, question.created_by_name) == (learner, "alice")
    assert question.type == "single"
    assert question.tags == ["ospf", "neighbours"]
    assert set(question.exams.all()) == {ccna, encor}
    assert list(question.categories.all()) == [ospf]
    assert [(o.display_order, o.text, o.is_correct) for o in question.options.all()] == [
        (0, "show ip ospf neighbor", True), (1, "show ip route", False), (2, "show ip protocols", False),
    ]


def test_a_multiple_answer_question_with_two_right_and_one_wrong_is_accepted(learner_client, ccna):
    data = submission([("A", True), ("B", True), ("C", False)], type="multiple", exams=[ccna])
    assert learner_client.post(URL, data).status_code == 302
    assert Question.objects.get().type == "multiple"


@pytest.mark.parametrize(
    "type, options, message",
    [
        ("single", [("A", True), ("B", True), ("C", False)], "exactly one correct option"),
        ("single", [("A", False), ("B", False)], "exactly one correct option"),
        ("multiple", [("A", True), ("B", False), ("C", False)], "at least two correct options"),
        ("multiple", [("A", True), ("B", True)], "at least one wrong option"),
        ("single", [("A", True)], "at least two options"),
        ("single", [("Area 0", True), ("  area   0 ", False)], "different text"),
    ],
    ids=["single with two right", "single with none right", "multiple with one right", "multiple without a wrong one",
         "one option", "same text twice"],
)
def test_the_option_rules_are_enforced(learner_client, ccna, type, options, message):
    response = learner_client.post(URL, submission(options, type=type, exams=[ccna]))
    assert response.status_code == 422
    assert message in response.text
    assert not Question.objects.exists()


def test_a_correct_mark_on_an_empty_row_is_an_error(learner_client, ccna):
    data = submission([("A", True), ("B", False), ("", True)], exams=[ccna])
    response = learner_client.post(URL, data)
    assert response.status_code == 422
    assert "Write this correct option" in response.text


def test_more_than_eight_options_are_refused(learner_client, ccna):
    options = [(f"Option {n}", n == 0) for n in range(9)]
    data = submission(options, exams=[ccna], **{"options-TOTAL_FORMS": "9"})
    assert learner_client.post(URL, data).status_code == 422
    assert not Question.objects.exists()


def test_the_question_needs_an_exam_a_text_and_an_explanation(learner_client):
    data = submission([("A", True), ("B", False)], question_text="", explanation="")
    response = learner_client.post(URL, data)
    assert response.status_code == 422
    for field in ("question_text", "explanation", "exams"):
        assert f'id="id_{field}_error"' in response.text


def test_errors_keep_what_the_learner_typed(learner_client, ccna):
    data = submission([("Keep me", True), ("Me too", True)], exams=[ccna])
    response = learner_client.post(URL, data)
    assert 'value="Keep me"' in response.text and 'value="Me too"' in response.text


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_guest_practising_without_an_account_is_sent_to_sign_up_first(client, guest, ccna):
    log_in_guest(client, guest)
    response = client.post(URL, submission([("A", True), ("B", False)], exams=[ccna]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Question.objects.exists()


def test_the_service_refuses_a_guest_author(guest):
    with pytest.raises(moderation.ModerationError):
        moderation.submit_question(
            author=guest, question_text="Q", type="single", explanation="E", options=[("A", True), ("B", False)]
        )


def test_the_service_applies_the_option_rules_whoever_calls_it(learner):
    with pytest.raises(moderation.ModerationError, match="exactly one correct"):
        moderation.submit_question(
            author=learner, question_text="Q", type="single", explanation="E", options=[("A", True), ("B", True)]
        )


def test_a_pending_submission_never_appears_in_quizzes(learner, ccna):
    from quizzes.services import NoQuestionsAvailable, start_session

    moderation.submit_question(
        author=learner, question_text="Q", type="single", explanation="E", options=[("A", True), ("B", False)], exams=[ccna]
    )
    with pytest.raises(NoQuestionsAvailable):
        start_session(user=learner, exam=ccna)


def test_my_submissions_lists_my_questions_with_their_status(learner_client, learner, other_learner, ccna):
    mine = moderation.submit_question(
        author=learner, question_text="My question?", type="single", explanation="E",
        options=[("A", True), ("B", False)], exams=[ccna],
    )
    QuestionFactory(question_text="Theirs?", created_by=other_learner, is_user_generated=True)
    QuestionFactory(question_text="Admin's own?", created_by=learner, is_user_generated=False)

    response = learner_client.get(reverse("my_submissions"))
    assert "My question?" in response.text and "Pending review" in response.text and "CCNA" in response.text
    assert "Theirs?" not in response.text and "Admin&#x27;s own?" not in response.text

    Question.objects.filter(pk=mine.pk).update(status=QuestionStatus.ACTIVE)
    assert "Active" in learner_client.get(reverse("my_submissions")).text


def test_my_submissions_needs_an_account(client):
    assert client.get(reverse("my_submissions")).status_code == 302
