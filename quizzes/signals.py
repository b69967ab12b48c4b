"""Signals other apps listen to (gamification updates progress from them). Sent inside the
transaction that records the answer, so a listener's writes commit or roll back with it."""

from django.dispatch import Signal

# sender=SessionQuestion; kwargs: session, session_question (answered_at and is_correct are final)
answer_recorded = Signal()
# sender=QuizSession; kwargs: session
session_completed = Signal()

# sender=QuizSession; kwargs: user. Asked when a "Due for review" quiz starts: a receiver (the
# progress app, which schedules reviews) returns (question ids due now, longest overdue first;
# when the next question is due, or None).
review_due_requested = Signal()
