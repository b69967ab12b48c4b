"""Progress follows the quiz flow through its signals (quizzes never imports gamification)."""

from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.utils import timezone

from accounts.guests import guest_merged
from gamification import announcements, progress, selectors, services
from quizzes.signals import answer_recorded, review_due_requested, session_completed


@receiver(answer_recorded, dispatch_uid="gamification.count_answer")
def count_answer(sender, session, session_question, **kwargs):
    # An exam's answers become final together when it is submitted: finish_session sends
    # answer_recorded for each and then session_completed in the same transaction, and
    # count_finished_session counts them there, in order, in one batch.
    if session.is_exam:
        return
    progress.record_answer(session=session, session_question=session_question)


@receiver(session_completed, dispatch_uid="gamification.count_finished_session")
def count_finished_session(sender, session, **kwargs):
    progress.record_finished_session(session=session)


@receiver(review_due_requested, dispatch_uid="gamification.due_for_review")
def due_for_review(sender, user, **kwargs):
    now = timezone.now()
    due = selectors.due_question_ids(user, now, limit=selectors.DUE_REVIEW_CANDIDATES)
    return due, None if due else selectors.next_due_at(user, now)


@receiver(guest_merged, dispatch_uid="gamification.merge_guest_progress")
def merge_guest_progress(sender, guest, user, **kwargs):
    services.merge_guest_progress(guest=guest, user=user)


request_started.connect(announcements.open_request, dispatch_uid="gamification.open_announcements")
request_finished.connect(announcements.close_request, dispatch_uid="gamification.close_announcements")
