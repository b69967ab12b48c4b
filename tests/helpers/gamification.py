"""Helpers of the gamification tests (plain functions and constants; the fixtures are in tests/gamification/conftest.py)."""

from datetime import timedelta
from pathlib import Path

from gamification.models import UserProgress
from quizzes.models import QuizMode, QuizSession
from quizzes.services import start_session
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids, submit


DEMO_BADGES = Path(__file__).resolve().parents[2] / "gamification" / "demo" / "badges.json"


class Clock:
    """The time the quiz flow reads (timezone.now and the sessions' started_at default)."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, moment):
        self.now = moment

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


def start(user, questions, mode=QuizMode.PRACTICE, **kwargs):
    """A quiz of exactly `questions`."""
    ids = [question.pk for question in questions]
    return start_session(user=user, mode=mode, count=len(ids), question_ids=ids, **kwargs).session


def answer(session, question, *, right=True):
    sq = session.session_questions.select_related("question").get(question=question)
    return submit(
        session=session, session_question=sq, option_ids=correct_option_ids(sq) if right else wrong_option_ids(sq)
    )


def progress_of(user) -> UserProgress:
    return UserProgress.objects.get(user=user)


def make_history(user, questions, answers: int, *, end, days: int = 120, per_quiz: int = 10):
    """`answers` final answers in finished practice quizzes spread over the `days` before `end`,
    written with bulk_create (no signals), then progress rebuilt from them as the command would."""
    from gamification.progress import rebuild
    from quizzes.models import SessionQuestion

    quizzes = (answers + per_quiz - 1) // per_quiz
    sessions = QuizSession.objects.bulk_create(
        QuizSession(
            user=user,
            question_count=per_quiz,
            started_at=end - timedelta(days=days) + timedelta(days=days) * n / quizzes,
            completed_at=end - timedelta(days=days) + timedelta(days=days) * n / quizzes + timedelta(minutes=10),
            score=0,
        )
        for n in range(quizzes)
    )
    rows = []
    for session in sessions:
        for order in range(min(per_quiz, answers - len(rows))):
            rows.append(
                SessionQuestion(
                    session=session,
                    question=questions[len(rows) % len(questions)],
                    question_order=order,
                    answered_at=session.started_at + timedelta(seconds=40 * (order + 1)),
                    is_correct=(len(rows) % 3) != 0,
                )
            )
    SessionQuestion.objects.bulk_create(rows, batch_size=2000)
    rebuild(user=user)
