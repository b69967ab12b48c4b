"""The exam navigator tells each question's state by text and icon, and in its accessible name."""

from quizzes.services import toggle_flag
from tests.helpers.quizzes import correct_option_ids
from quizzes.services import toggle_flag
from tests.helpers.quizzes import submit


def test_each_navigator_item_names_its_state_and_shows_it_by_text_and_icon(learner_client, exam_session):
    sqs = list(exam_session.session_questions.select_related("question"))
    submit(exam_session, sqs[0], correct_option_ids(sqs[0]))
    toggle_flag(session=exam_session, session_question=sqs[0])
    toggle_flag(session=exam_session, session_question=sqs[2])

    body = learner_client.get(f"/quiz/{exam_session.pk}/q/2/").content.decode()

    assert 'aria-label="Question 1, flagged, answered"' in body
    assert 'aria-label="Question 2, not answered, current question"' in body
    assert 'aria-label="Question 3, flagged, not answered"' in body
    assert 'aria-label="Question 4, not answered"' in body
    assert body.count('aria-current="step"') == 1
    assert "✔ answered · ○ not answered · ⚑ flagged · ▸ current" in body
    assert '<span aria-hidden="true">1✔⚑</span>' in body
    assert '<span aria-hidden="true">▸2○</span>' in body
    assert "1 answered, 4 not answered, 2 flagged" in body
