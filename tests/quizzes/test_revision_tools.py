"""Revision tools: the practice navigator tells right from wrong, the verdict is where an answer
lands, bookmarks filter by exam and category."""

from quizzes.services import submit_answer
from tests.quizzes.conftest import correct_option_ids, wrong_option_ids


def test_the_practice_navigator_names_each_question_right_wrong_or_not_answered(learner_client, practice_session):
    first, second = practice_session.session_questions.select_related("question").order_by("question_order")[:2]
    submit_answer(session=practice_session, session_question=first, option_ids=correct_option_ids(first))
    submit_answer(session=practice_session, session_question=second, option_ids=wrong_option_ids(second))

    body = learner_client.get(f"/quiz/{practice_session.pk}/q/2/").content.decode()

    assert 'aria-label="Question 1, answered, right"' in body
    assert 'aria-label="Question 2, answered, wrong, current question"' in body
    assert 'aria-label="Question 3, not answered"' in body
    assert "1✔" in body and "2✘" in body  # the mark is shown, not only a colour
    assert "2 answered, 1 right" in body
