"""Helpers of the quizzes tests (plain functions and constants; the fixtures are in tests/quizzes/conftest.py)."""

from quizzes.services import answer_question
def correct_option_ids(session_question):
    return [str(option.pk) for option in session_question.question.options.filter(is_correct=True)]


def wrong_option_ids(session_question):
    return [str(session_question.question.options.filter(is_correct=False).first().pk)]


def submit(session, session_question, option_ids):
    """services.answer_question for a session question in hand. Returns the session question as
    recorded, and brings `session` and `session_question` up to date from the database."""
    answered = answer_question(
        learner=session.user, session_id=session.pk, number=session_question.question_order + 1,
        option_ids=option_ids,
    )
    session.refresh_from_db(fields=["current_index", "score", "is_paused", "completed_at", "last_activity_at"])
    session_question.refresh_from_db(fields=["answered_at", "is_correct", "is_flagged", "option_order"])
    return answered.session_question
