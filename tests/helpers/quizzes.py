"""Helpers of the quizzes tests (plain functions and constants; the fixtures are in tests/quizzes/conftest.py)."""


def correct_option_ids(session_question):
    return [str(option.pk) for option in session_question.question.options.filter(is_correct=True)]


def wrong_option_ids(session_question):
    return [str(session_question.question.options.filter(is_correct=False).first().pk)]
