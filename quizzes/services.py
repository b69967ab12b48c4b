"""The quiz flow: starting a session, answering, flagging, finishing. Views, commands and tests
all go through these functions so every entry point obeys the same rules."""

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from certquiz.advisory_lock import lock_key
from quizzes import selectors
from quizzes.models import (
    Bookmark,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionOption,
    QuizMode,
    QuizSession,
    SessionQuestion,
    SessionSelectedOption,
)
from quizzes.signals import answer_recorded, review_due_requested, session_completed

MAX_QUESTIONS_PER_SESSION = 100


class QuizError(Exception):
    """A rule of the quiz flow was broken; the message is meant for the learner."""


class NoQuestionsAvailable(QuizError):
    pass


class PremiumRequired(QuizError):
    pass


class DailyLimitReached(QuizError):
    pass


class TimeUp(QuizError):
    """The exam's time ran out before the answer came: it was submitted without it."""


def free_daily_limit() -> int:
    """Questions a learner without premium may answer per day (0: no limit)."""
    return getattr(settings, "FREE_DAILY_QUESTION_LIMIT", 40)


def answers_today(user) -> int:
    start_of_day = timezone.localtime(timezone.now(), user.tzinfo).replace(hour=0, minute=0, second=0, microsecond=0)
    # Every answer moves its session's last_activity_at, so only sessions active today are searched.
    return SessionQuestion.objects.filter(
        session__user=user, session__last_activity_at__gte=start_of_day, answered_at__gte=start_of_day
    ).count()


def free_questions_left(user) -> int | None:
    """Questions the learner may still answer today; None where no daily limit applies (premium, or
    FREE_DAILY_QUESTION_LIMIT=0). A visitor with no guest row yet has the whole limit."""
    limit = free_daily_limit()
    if not limit or (user is not None and user.has_premium):
        return None
    return limit if user is None else max(0, limit - answers_today(user))


def daily_limit_message() -> str:
    return (
        f"You have answered today's {free_daily_limit()} free questions. Come back tomorrow, "
        "or go premium for unlimited practice."
    )


@dataclass(frozen=True)
class StartedSession:
    session: QuizSession
    requested: int
    # Set when the quiz was shortened to the free questions left today.
    free_questions_left: int | None = None

    @property
    def shortfall(self) -> int:
        return max(0, self.requested - self.session.question_count)

    @property
    def shortened_by_daily_limit(self) -> bool:
        return self.free_questions_left is not None and self.session.question_count == self.free_questions_left


def candidate_questions(*, user, exam=None, category=None, tags: Iterable[str] = (), at_or_after=None):
    """Active questions the learner may see that match the filters (any of the tags).

    `at_or_after` (an expression) keeps ids from there on, in the junction lookups too, so that a
    random probe walks the junction indexes from its start rather than from their beginning."""
    questions = Question.objects.active().visible_to(user)
    links = {} if at_or_after is None else {"question_id__gte": at_or_after}
    if at_or_after is not None:
        questions = questions.filter(pk__gte=at_or_after)
    if exam is not None:
        questions = questions.filter(
            Exists(QuestionExam.objects.filter(question=OuterRef("pk"), exam=exam, **links))
        )
    if category is not None:
        questions = questions.filter(
            Exists(QuestionCategory.objects.filter(question=OuterRef("pk"), category=category, **links))
        )
    tags = [tag for tag in tags if tag]
    if tags:
        questions = questions.filter(tags__overlap=tags)
    return questions


def last_answered_wrong(questions, user):
    """Narrow `questions` to those whose most recent final answer by `user` was wrong."""
    final_answers = SessionQuestion.objects.filter(session__user=user, answered_at__isnull=False).exclude(
        session__mode=QuizMode.EXAM, session__completed_at__isnull=True
    )
    latest_is_correct = (
        final_answers.filter(question=OuterRef("pk")).order_by("-answered_at").values("is_correct")[:1]
    )
    return (
        questions.filter(pk__in=final_answers.values("question_id"))
        .annotate(last_is_correct=Subquery(latest_is_correct))
        .filter(last_is_correct=False)
    )


@transaction.atomic
def start_session(
    *,
    user,
    mode: str = QuizMode.PRACTICE,
    count: int = 10,
    exam=None,
    category=None,
    tags: Iterable[str] = (),
    time_limit_minutes: int | None = None,
    question_ids: Iterable | None = None,
) -> StartedSession:
    """Pick `count` random questions and create the session with a shuffled option order for each.

    Raises NoQuestionsAvailable when nothing matches; fewer matches than asked start a shorter quiz.
    Without premium a quiz is no longer than the free questions left today (DailyLimitReached when
    none are left), so the limit never stops a learner in the middle of a quiz they just started."""
    count = max(1, min(int(count), MAX_QUESTIONS_PER_SESSION))
    requested = count
    free_left = free_questions_left(user)
    if free_left == 0:
        raise DailyLimitReached(daily_limit_message())
    if free_left is not None and count > free_left:
        count = free_left
    else:
        free_left = None
    tags = sorted({tag.strip().lower() for tag in tags if tag and tag.strip()})
    picked = pick_questions(user=user, mode=mode, count=count, exam=exam, category=category, tags=tags,
                            question_ids=question_ids)
    if not picked:
        raise NoQuestionsAvailable(no_questions_message(mode))

    options_by_question = defaultdict(list)
    for question_id, option_id in QuestionOption.objects.filter(question_id__in=picked).values_list(
        "question_id", "id"
    ):
        options_by_question[question_id].append(option_id)
    for option_ids in options_by_question.values():
        random.shuffle(option_ids)

    session = QuizSession.objects.create(
        user=user,
        mode=mode,
        exam=exam,
        category=category,
        tags=tags,
        question_count=len(picked),
        time_limit_minutes=time_limit_minutes if mode == QuizMode.EXAM else None,
    )
    SessionQuestion.objects.bulk_create(
        SessionQuestion(
            session=session, question_id=question_id, question_order=order, option_order=options_by_question[question_id]
        )
        for order, question_id in enumerate(picked)
    )
    return StartedSession(session=session, requested=requested, free_questions_left=free_left)


def pick_questions(*, user, mode, count, exam, category, tags, question_ids) -> list:
    """The ids of up to `count` questions for a new session of `mode`, in the order it asks them."""
    questions = candidate_questions(user=user, exam=exam, category=category, tags=tags)
    if mode != QuizMode.EXAM:  # a question of an open exam must not show its answer elsewhere
        questions = questions.exclude(pk__in=selectors.open_exam_question_ids(user))
    if question_ids is not None:
        return shuffled_pick(questions.filter(pk__in=list(question_ids)), count)
    if mode == QuizMode.MISTAKES:
        return shuffled_pick(last_answered_wrong(questions, user), count)
    if mode == QuizMode.DUE_REVIEW:
        return due_for_review(questions, user, count)
    if mode == QuizMode.BOOKMARKED:
        return shuffled_pick(
            questions.filter(Exists(Bookmark.objects.filter(question=OuterRef("pk"), user=user))), count
        )
    probes = candidate_questions(
        user=user, exam=exam, category=category, tags=tags, at_or_after=RawSQL("probes.start", ())
    )
    if mode != QuizMode.EXAM:
        probes = probes.exclude(pk__in=selectors.open_exam_question_ids(user))
    return random_pick(questions, count, probes=probes)


def allocate_by_weight(weights: dict, total: int) -> dict:
    """Split `total` questions over keys by percentage weights, largest remainder first (Hamilton's
    method): each key gets the floor of its exact share, and the seats left go to the largest
    fractional parts (ties to the heavier weight, then to the order given)."""
    weight_sum = sum(weights.values())
    if not weight_sum:
        return dict.fromkeys(weights, 0)
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    allocation = {key: int(share) for key, share in exact.items()}
    left = total - sum(allocation.values())
    order = sorted(weights, key=lambda key: (-(exact[key] - allocation[key]), -weights[key]))
    for key in order[:left]:
        allocation[key] += 1
    return allocation


@dataclass(frozen=True)
class BlueprintShortfall:
    category: object
    wanted: int
    found: int


@dataclass(frozen=True)
class StartedFullExam:
    started: StartedSession
    shortfalls: list

    @property
    def session(self):
        return self.started.session


@transaction.atomic
def start_full_exam(*, user, exam) -> StartedFullExam:
    """A timed exam-mode session with the exam's own settings: `question_count` questions drawn
    by the blueprint's weights (or from the whole exam without one), `duration_minutes` long.
    A category with too few questions gives what it has, listed in `shortfalls`."""
    requested = min(exam.question_count, MAX_QUESTIONS_PER_SESSION)
    # Without premium, a shorter exam by the same blueprint when fewer free questions are left today.
    free_left = free_questions_left(user)
    if free_left == 0:
        raise DailyLimitReached(daily_limit_message())
    total = requested if free_left is None else min(requested, free_left)
    blueprint = list(exam.blueprint.select_related("category"))
    picked: list = []
    shortfalls = []
    if blueprint:
        allocation = allocate_by_weight({row.category: row.weight_percent for row in blueprint}, total)
        for category, wanted in allocation.items():
            if not wanted:
                continue
            found = shuffled_pick(
                candidate_questions(user=user, exam=exam, category=category).exclude(pk__in=picked), wanted
            )
            picked += found
            if len(found) < wanted:
                shortfalls.append(BlueprintShortfall(category=category, wanted=wanted, found=len(found)))
    else:
        picked = random_pick(candidate_questions(user=user, exam=exam), total)
    if not picked:
        raise NoQuestionsAvailable(f"{exam.code} has no questions you can take yet.")
    started = start_session(
        user=user, mode=QuizMode.EXAM, exam=exam, count=len(picked), question_ids=picked,
        time_limit_minutes=exam.duration_minutes,
    )
    shortened_to = free_left if total < requested else None
    return StartedFullExam(
        started=StartedSession(session=started.session, requested=requested, free_questions_left=shortened_to),
        shortfalls=shortfalls,
    )


def due_for_review(questions, user, count: int) -> list:
    """Up to `count` of `questions` due for review (as the progress app's receiver says), the
    longest overdue first. None due: NoQuestionsAvailable says when the next one is."""
    due, next_due_at = [], None
    for _, (question_ids, next_at) in review_due_requested.send(QuizSession, user=user):
        due += question_ids
        next_due_at = next_at or next_due_at
    if not due:
        message = "Nothing is due for review now."
        if next_due_at:
            message += f" The next question is due on {timezone.localtime(next_due_at, user.tzinfo):%a %-d %b at %H:%M}."
        raise NoQuestionsAvailable(message)
    position = {question_id: index for index, question_id in enumerate(due)}
    matching = questions.filter(pk__in=due).values_list("id", flat=True)
    return sorted(matching, key=position.__getitem__)[:count]


def shuffled_pick(questions, count: int) -> list:
    """Random order over a set bounded by the learner's own history (mistakes, bookmarks, retries)."""
    return list(questions.order_by("?").values_list("id", flat=True)[:count])


PROBE_WINDOW = 4


def random_pick(questions, count: int, probes=None) -> list:
    """`count` random questions in one query, without sorting the whole bank.

    Each of 3×count probes starts at a random UUID and takes one of the next PROBE_WINDOW matching
    questions at or after it, walking the primary-key index (question ids are random UUIDs, so the
    gaps between them are random; drawing within a window evens out the pull of a wide gap): the
    probes cost what the filters' selectivity costs, not the bank's size. When at
    most 3×count questions match at all, the query returns all of them instead (that scan stops
    after 3×count + 1 rows), and the pick is uniform. `probes` is `questions` from `probes.start` on
    (candidate_questions(at_or_after=...)), so junction lookups start there too."""
    small_limit = 3 * count
    # Each probe's start comes from the outer row, so the index range scan starts there (a volatile
    # gen_random_uuid() in the WHERE clause would be drawn again for every row scanned).
    if probes is None:
        probes = questions.filter(pk__gte=RawSQL("probes.start", ()))
    probe = probes.order_by("pk").values("pk")[:PROBE_WINDOW]
    probe_sql, probe_params = probe.query.sql_with_params()
    head_sql, head_params = questions.order_by().values("pk")[: small_limit + 1].query.sql_with_params()
    sql = f"""
        WITH head(id) AS ({head_sql}), matching AS (SELECT count(*) AS total FROM head)
        SELECT DISTINCT picked.id, true FROM unnest(%s::uuid[]) AS probes(start)
        CROSS JOIN LATERAL (SELECT nearby.pk FROM ({probe_sql}) AS nearby ORDER BY random() LIMIT 1) AS picked(id)
        WHERE (SELECT total FROM matching) > %s
        UNION ALL
        SELECT head.id, false FROM head WHERE (SELECT total FROM matching) <= %s
    """
    with connection.cursor() as cursor:
        starts = [uuid.uuid4() for _ in range(small_limit)]
        cursor.execute(sql, (*head_params, starts, *probe_params, small_limit, small_limit))
        rows = cursor.fetchall()
    found = [question_id for question_id, _ in rows]
    every_match = bool(rows) and not rows[0][1]  # the head branch: all the matches there are
    if len(found) < count and not every_match:  # rare: unlucky probes (or none at all past the last id)
        return shuffled_pick(questions, count)
    random.shuffle(found)
    return found[:count]


def no_questions_message(mode: str) -> str:
    if mode == QuizMode.MISTAKES:
        return "No mistakes to review with these filters: every question you answered last time was right."
    if mode == QuizMode.BOOKMARKED:
        return "No bookmarked questions match these filters. Bookmark questions while you practise."
    if mode == QuizMode.DUE_REVIEW:
        return "None of the questions due for review match these filters."
    return "No questions match these filters. Try another exam, category or fewer tags."


def retry_mistakes(*, session: QuizSession) -> StartedSession:
    """A new practice session from the questions answered wrong (or left unanswered) in `session`."""
    missed = session.session_questions.exclude(is_correct=True).values_list("question_id", flat=True)
    missed = list(missed)
    if not missed:
        raise NoQuestionsAvailable("You answered every question right: nothing to retry.")
    return start_session(
        user=session.user, mode=QuizMode.PRACTICE, count=len(missed), question_ids=missed
    )


def expire_if_out_of_time(session: QuizSession) -> QuizSession:
    """Timed exams end on the server when their time is up, whatever the browser does."""
    if not session.is_completed and session.is_out_of_time():
        return finish_session(session=session)
    return session


@dataclass(frozen=True)
class RecordedAnswer:
    """The session and its question as recorded, read under their row lock; the session question
    carries `options_with_choices` for the player to show."""

    session: QuizSession
    session_question: SessionQuestion


def answer_question(*, learner, session_id, number: int, option_ids: Iterable) -> RecordedAnswer:
    """Record the learner's choice for their `number`-th question of the session, found and locked
    (with the session's row) in one read. A repeated submit (double click, two tabs) records it once:
    in practice modes the first answer stands; in exam mode the answer may change until submission."""
    try:
        with transaction.atomic():
            found = selectors.session_question_for_player(session_id, number, learner, lock=True)
            if found is None:
                raise QuizError("This question is not part of this quiz.")
            session = found.session
            # The session is the learner's (the read matched them): their row, loaded with their
            # subscription at the start of the request, is not read again.
            session.user = learner
            recorded = _record_locked_answer(session=session, session_question=found, user=learner,
                                             option_ids=option_ids)
    except TimeUp:
        finish_session(session=session)  # its own transaction: it must survive the refusal
        raise
    return RecordedAnswer(session=session, session_question=recorded)


def _record_locked_answer(*, session, session_question, user, option_ids):
    """answer_question's rules and writes, in its transaction, the two rows read under their lock."""
    if session.is_completed:
        raise QuizError("This quiz is already finished.")
    if session.is_out_of_time():
        raise TimeUp("Time is up: the exam was submitted with the answers you had given.")
    question = session_question.question
    if not question.is_visible_to(user):
        raise PremiumRequired("This is a premium question.")
    if session_question.is_answered and not session.is_exam:
        return session_question
    if not session_question.is_answered and not user.has_premium:
        _check_daily_limit(user)
    options = list(QuestionOption.objects.filter(question_id=question.pk).order_by())  # the player orders them
    chosen = _checked_choice(question, options, option_ids)

    now = timezone.now()
    if session_question.is_answered:
        SessionSelectedOption.objects.filter(session_id=session.pk, question_id=question.pk).delete()
    SessionSelectedOption.objects.bulk_create(
        SessionSelectedOption(session_id=session.pk, question_id=question.pk, option_id=option_id)
        for option_id in sorted(chosen)
    )
    for option in options:
        option.is_selected = str(option.id) in chosen
    session_question.options_with_choices = options
    session_question.answered_at = now
    session_question.is_correct = chosen == {str(option.id) for option in options if option.is_correct}
    session_question.save(update_fields=["answered_at", "is_correct"])
    session.current_index = session_question.question_order
    session.last_activity_at = now
    session.is_paused = False
    session.save(update_fields=["current_index", "last_activity_at", "is_paused"])
    if not session.is_exam:
        answer_recorded.send(SessionQuestion, session=session, session_question=session_question)
    return session_question


def _check_daily_limit(user) -> None:
    """DailyLimitReached when a learner without premium answered today's free questions."""
    limit = free_daily_limit()
    if not limit:
        return
    # The session's row lock does not cover the learner's other sessions: without this, answers
    # posted at once in several quizzes would all count today's answers before any is written.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(f"daily-answers:{user.pk}")])
    if answers_today(user) >= limit:
        raise DailyLimitReached(daily_limit_message())


def _checked_choice(question, options, option_ids) -> set[str]:
    """The chosen option ids, refused unless they are a valid answer to `question`."""
    chosen = {str(option_id) for option_id in option_ids}
    if not chosen:
        raise QuizError("Choose an answer first.")
    if not chosen <= {str(option.id) for option in options}:
        raise QuizError("That answer is not one of this question's options.")
    if not question.is_multiple and len(chosen) != 1:
        raise QuizError("Choose exactly one answer.")
    return chosen


@transaction.atomic
def finish_session(*, session: QuizSession) -> QuizSession:
    session = QuizSession.objects.select_for_update().get(pk=session.pk)
    if session.is_completed:
        return session
    now = timezone.now()
    deadline = session.deadline
    session.completed_at = min(now, deadline) if deadline else now
    session.score = session.session_questions.filter(is_correct=True).count()
    session.is_paused = False
    session.save(update_fields=["completed_at", "score", "is_paused"])
    if session.is_exam:
        for session_question in session.session_questions.filter(answered_at__isnull=False):
            answer_recorded.send(SessionQuestion, session=session, session_question=session_question)
    session_completed.send(QuizSession, session=session)
    return session


MAX_OPTIONS_POSTED = 20  # more than any question has: a longer list is cut, not looked up


def save_exam_choice(*, learner, session: QuizSession, number: int, option_ids: Iterable) -> str | None:
    """Save the learner's current choice on an exam question as they move on. Returns why nothing
    was saved (for the page to say), or None when it was. An empty choice keeps what was stored."""
    option_ids = [str(option_id) for option_id in option_ids][:MAX_OPTIONS_POSTED]
    if not option_ids:
        return f"No answer was chosen on question {number}, so nothing was saved for it."
    try:
        answer_question(learner=learner, session_id=session.pk, number=number, option_ids=option_ids)
    except TimeUp:
        raise  # the exam is over: the caller shows its results
    except QuizError as error:
        return f"Your choice on question {number} was not saved: {error}"
    return None


def exam_walk_next(*, session: QuizSession, number: int, walk: str) -> int | None:
    """The next question after `number` in a review walk ("flagged" or "unanswered"), or None."""
    rows = session.session_questions.filter(question_order__gt=number - 1).order_by("question_order")
    if walk == "flagged":
        rows = rows.filter(is_flagged=True)
    else:
        rows = rows.filter(answered_at__isnull=True)
    order = rows.values_list("question_order", flat=True).first()
    return None if order is None else order + 1


def move_to(*, session: QuizSession, index: int) -> None:
    if session.current_index != index and not session.is_completed:
        QuizSession.objects.filter(pk=session.pk).update(current_index=index, last_activity_at=timezone.now())
        session.current_index = index


def toggle_flag(*, session: QuizSession, session_question: SessionQuestion) -> bool:
    if session.is_completed:
        raise QuizError("This quiz is already finished.")
    session_question.is_flagged = not session_question.is_flagged
    SessionQuestion.objects.filter(pk=session_question.pk).update(is_flagged=session_question.is_flagged)
    return session_question.is_flagged


def set_paused(*, session: QuizSession, paused: bool) -> None:
    if session.is_completed:
        raise QuizError("This quiz is already finished.")
    session.is_paused = paused
    session.last_activity_at = timezone.now()
    session.save(update_fields=["is_paused", "last_activity_at"])


def toggle_bookmark(*, user, question: Question) -> bool:
    """Bookmark or un-bookmark; safe against double clicks thanks to the unique pair."""
    deleted, _ = Bookmark.objects.filter(user=user, question=question).delete()
    if deleted:
        return False
    Bookmark.objects.bulk_create([Bookmark(user=user, question=question)], ignore_conflicts=True)
    return True


@transaction.atomic
def discard_session(*, session: QuizSession) -> bool:
    """Drop an unfinished quiz from the learner's lists. A quiz none of whose answers counted yet (an
    exam not submitted, or nothing answered) is deleted; practice answers already count towards
    progress, so such a quiz is finished instead, keeping them. Returns whether it was deleted."""
    session = QuizSession.objects.select_for_update().get(pk=session.pk)
    if session.is_completed:
        return False
    if session.is_exam or not session.session_questions.filter(answered_at__isnull=False).exists():
        session.delete()
        return True
    finish_session(session=session)
    return False
