"""A learner's final answers as exam readiness and the smart-review schedule need them, read in two
parts so that a dashboard costs what the last few weeks cost, not the whole history:

- the older answers, before a boundary on a weekly grid at least READINESS_TREND_WEEKS back, are
  summarised in one query (per exam and category counts, each exam's latest answers, the review state
  of each question ever answered wrong);
- the recent answers, since the boundary, are read once and then only the ones after the newest
  read (one query through the sessions active since then: every answer moves its session's
  last_activity_at).

Both are cached under the boundary (it moves on weekly), the catalogue's version and the learner's
premium, for HISTORY_SUMMARY_SECONDS at most. An answer can become final out of order: an exam
completed late (its answers made before the summary, or before the boundary), or two tabs. The
learner's answer total (user_progress, counted in each answer's transaction) tells: each part keeps
the total it was read at, and is read again when the total has grown by more than it has.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import NamedTuple
from uuid import UUID

from django.core.cache import cache
from django.db import connection

from gamification import rules

READINESS_STEP = timedelta(weeks=1)
GRID_ORIGIN = datetime(2001, 1, 1, tzinfo=UTC)  # a Monday
# Bounds what the keys do not notice: a quiz deleted, or, with a cache per process (no REDIS_URL),
# a catalogue change made in another process.
HISTORY_SUMMARY_SECONDS = 3600

# A session whose answers are final (counted in progress): practice, or an exam once completed.
FINAL_SESSION = "(quiz.mode <> 'exam' OR quiz.completed_at IS NOT NULL)"
FINAL_SESSIONS = f"quiz.user_id = %(user)s AND {FINAL_SESSION}"
REVIEWABLE = "question.status = 'active' AND (%(premium)s OR NOT question.is_premium)"

OLDER_SUMMARY_SQL = f"""
WITH answers AS MATERIALIZED (
  SELECT sq.question_id, sq.answered_at, sq.is_correct FROM session_questions sq
   WHERE sq.answered_at < %(boundary)s
     AND sq.session_id = ANY (ARRAY(SELECT quiz.id FROM quiz_sessions quiz WHERE {FINAL_SESSIONS}))
), exam_answers AS MATERIALIZED (
  SELECT link.exam_id, answers.question_id, answers.answered_at, answers.is_correct,
         row_number() OVER (PARTITION BY link.exam_id ORDER BY answers.answered_at DESC) AS position
    FROM answers JOIN question_exams link ON link.question_id = answers.question_id
), practised AS (
  SELECT exam_answers.exam_id, link.category_id, count(*)::int AS answered
    FROM exam_answers JOIN question_categories link ON link.question_id = exam_answers.question_id
   GROUP BY exam_answers.exam_id, link.category_id
), latest AS (
  SELECT exam_id, answered_at, is_correct, position FROM exam_answers WHERE position <= %(window)s
), states AS (
  SELECT question_id, answered_at,
         max(answered_at) FILTER (WHERE NOT is_correct) OVER (PARTITION BY question_id) AS last_wrong_at
    FROM answers
), schedule AS (
  SELECT question_id, max(answered_at) AS last_answered_at, max(last_wrong_at) AS last_wrong_at,
         count(*) FILTER (WHERE answered_at > last_wrong_at)::int AS right_in_a_row
    FROM states WHERE last_wrong_at IS NOT NULL GROUP BY question_id
)
SELECT practised.exams, practised.categories, practised.counts,
       latest.exams, latest.times, latest.rights,
       schedule.questions, schedule.last_answered, schedule.last_wrong, schedule.in_a_row, schedule.reviewable
  FROM (SELECT array_agg(exam_id) AS exams, array_agg(category_id) AS categories, array_agg(answered) AS counts
          FROM practised) practised,
       (SELECT array_agg(exam_id ORDER BY exam_id, position) AS exams,
               array_agg(answered_at ORDER BY exam_id, position) AS times,
               array_agg(is_correct ORDER BY exam_id, position) AS rights FROM latest) latest,
       (SELECT array_agg(schedule.question_id) AS questions, array_agg(last_answered_at) AS last_answered,
               array_agg(last_wrong_at) AS last_wrong, array_agg(right_in_a_row) AS in_a_row,
               array_agg({REVIEWABLE}) AS reviewable
          FROM schedule JOIN questions question ON question.id = schedule.question_id) schedule
"""

RECENT_ANSWERS_SQL = f"""
SELECT sq.id, sq.question_id, sq.answered_at, sq.is_correct,
       ARRAY(SELECT link.exam_id FROM question_exams link WHERE link.question_id = sq.question_id),
       ARRAY(SELECT link.category_id FROM question_categories link WHERE link.question_id = sq.question_id),
       {REVIEWABLE}
  FROM session_questions sq JOIN questions question ON question.id = sq.question_id
 WHERE sq.answered_at >= %(since)s
   AND sq.session_id = ANY (ARRAY(SELECT quiz.id FROM quiz_sessions quiz
                                   WHERE {FINAL_SESSIONS} AND quiz.last_activity_at >= %(since)s))
 ORDER BY sq.answered_at
"""

TOTAL_SQL = "SELECT total_questions FROM user_progress WHERE user_id = %(user)s"


class Answer(NamedTuple):
    """A final answer since the boundary. Ids as text: the recent answers are cached, and UUIDs
    unpickle slowly."""

    question_id: str
    answered_at: datetime
    is_correct: bool
    exam_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    reviewable: bool


# The review state of a question answered wrong at least once, as a plain tuple (a summary holds
# thousands, unpickled on every dashboard that reads it: a tuple of ints costs a tenth of an object):
# (last answered, last answered wrong, right answers since (capped where it no longer matters:
# retired), reviewable (active, and premium only for a premium learner), due (None: retired or not
# reviewable)), the moments in microseconds since the epoch.
ReviewState = tuple[int, int, int, bool, int | None]
LAST_ANSWERED, LAST_WRONG, RIGHT_IN_A_ROW, _, DUE = range(5)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
INTERVALS = [timedelta(days=days) // MICROSECOND for days in rules.REVIEW_INTERVALS_DAYS]


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def moment(micros_since_epoch: int) -> datetime:
    return EPOCH + micros_since_epoch * MICROSECOND


def review_state(last_answered: int, last_wrong: int, right_in_a_row: int, reviewable: bool) -> ReviewState:
    right_in_a_row = min(right_in_a_row, rules.REVIEW_RETIRE_AFTER)
    due = last_answered + INTERVALS[right_in_a_row] if right_in_a_row < rules.REVIEW_RETIRE_AFTER and reviewable else None
    return (last_answered, last_wrong, right_in_a_row, reviewable, due)


def state_after(state: ReviewState | None, answer: Answer) -> ReviewState | None:
    """The state once the answer is given (None: never answered wrong)."""
    at = micros(answer.answered_at)
    if not answer.is_correct:
        return review_state(at, at, 0, answer.reviewable)
    if state is None:
        return None
    return review_state(max(state[LAST_ANSWERED], at), state[LAST_WRONG],
                        state[RIGHT_IN_A_ROW] + (at > state[LAST_WRONG]), answer.reviewable)


@dataclass
class OlderSummary:
    practised: dict[tuple[str, str], int]  # (exam, category) -> answers
    latest: dict[str, list[tuple[datetime, bool]]]  # exam -> its latest answers, newest first
    review: dict[str, ReviewState]  # by question
    total_when_made: int = 0  # the learner's answer total, and the recent answers, when it was made
    recent_when_made: int = 0


@dataclass
class RecentAnswers:
    answers: list[Answer]  # since the boundary, oldest first
    total: int  # the learner's answer total when they were read
    seen_through: datetime | None = None  # the newest answered_at among them
    ids_at_seen_through: frozenset = frozenset()  # the session questions answered at that moment

    def including(self, rows: list[tuple[int, Answer]], total: int) -> "RecentAnswers":
        """These, and the rows read since (oldest first), as of the learner's new total."""
        new = [answer for answer_id, answer in rows
               if answer.answered_at != self.seen_through or answer_id not in self.ids_at_seen_through]
        return RecentAnswers.of(self.answers + new, rows, total)

    @classmethod
    def of(cls, answers: list[Answer], rows: list[tuple[int, Answer]], total: int) -> "RecentAnswers":
        if not answers:
            return cls(answers, total)
        newest = answers[-1].answered_at
        return cls(answers, total, newest, frozenset(answer_id for answer_id, answer in rows
                                                     if answer.answered_at == newest))


@dataclass
class History:
    older: OlderSummary
    recent: list[Answer]  # oldest first

    @cached_property
    def review_states(self) -> dict[str, ReviewState]:
        """By question: the older answers' states, then the recent answers in order."""
        states = dict(self.older.review)
        for answer in self.recent:
            state = state_after(states.get(answer.question_id), answer)
            if state is not None:
                states[answer.question_id] = state
        return states


def boundary_for(now: datetime) -> datetime:
    """The start of the grid week holding the oldest readiness cutoff: moves once a week."""
    oldest_cutoff = now - READINESS_STEP * rules.READINESS_TREND_WEEKS
    weeks = (oldest_cutoff - GRID_ORIGIN) // READINESS_STEP
    return GRID_ORIGIN + READINESS_STEP * weeks


def fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cache_key(part: str, user, boundary: datetime, premium: bool, version: str) -> str:
    return f"gamification:{part}:{user.pk}:{int(boundary.timestamp())}:{int(premium)}:{version}"


def summarise_older(user, boundary: datetime, premium: bool) -> OlderSummary:
    (p_exams, p_categories, p_counts, l_exams, l_times, l_rights,
     r_questions, r_last, r_wrong, r_rights, r_reviewable) = fetch(OLDER_SUMMARY_SQL, {
        "user": user.pk, "boundary": boundary, "premium": premium, "window": rules.READINESS_RECENT_ANSWERS,
    })[0]
    latest: dict[str, list[tuple[datetime, bool]]] = {}
    for exam_id, answered_at, is_correct in zip(l_exams or (), l_times or (), l_rights or ()):
        latest.setdefault(str(exam_id), []).append((answered_at, is_correct))
    review = {
        str(question_id): review_state(micros(last), micros(wrong), rights, reviewable)
        for question_id, last, wrong, rights, reviewable in zip(
            r_questions or (), r_last or (), r_wrong or (), r_rights or (), r_reviewable or ())
    }
    practised = {(str(exam_id), str(category_id)): answered
                 for exam_id, category_id, answered in zip(p_exams or (), p_categories or (), p_counts or ())}
    return OlderSummary(practised, latest, review)


def read_recent(user, since: datetime, premium: bool) -> list[tuple[int, Answer]]:
    """(session question id, answer) of the final answers at or after `since`, oldest first."""
    rows = fetch(RECENT_ANSWERS_SQL, {"user": user.pk, "since": since, "premium": premium})
    return [(answer_id, Answer(str(question_id), answered_at, is_correct, tuple(map(str, exams)),
                               tuple(map(str, categories)), reviewable))
            for answer_id, question_id, answered_at, is_correct, exams, categories, reviewable in rows]


def load(user, now: datetime, *, version: str, total: int | None = None) -> History:
    """The learner's history as seen at `now`: the older answers' summary and the recent answers,
    both cached; only the answers since the newest one read are read (when the learner's total has
    grown by as many: else an answer became final out of order, the recent ones are read again, and
    the older ones summarised again if the total says they changed too). `total`: the learner's
    user_progress.total_questions, if already read."""
    premium = bool(getattr(user, "has_premium", False))
    boundary = boundary_for(now)
    if total is None:
        rows = fetch(TOTAL_SQL, {"user": user.pk})
        total = rows[0][0] if rows else 0
    recent_key = cache_key("recent-answers", user, boundary, premium, version)
    recent = cache.get(recent_key)
    if recent is not None:
        since_seen = read_recent(user, recent.seen_through or boundary, premium)
        updated = recent.including(since_seen, total)
        if total - recent.total != len(updated.answers) - len(recent.answers):
            recent = None
        elif len(updated.answers) != len(recent.answers):
            recent = updated
            cache.set(recent_key, recent, HISTORY_SUMMARY_SECONDS)
    if recent is None:
        rows = read_recent(user, boundary, premium)
        recent = RecentAnswers.of([answer for _, answer in rows], rows, total)
        cache.set(recent_key, recent, HISTORY_SUMMARY_SECONDS)
    older_key = cache_key("older-answers", user, boundary, premium, version)
    older = cache.get(older_key)
    if older is None or total - older.total_when_made != len(recent.answers) - older.recent_when_made:
        older = summarise_older(user, boundary, premium)
        older.total_when_made, older.recent_when_made = total, len(recent.answers)
        cache.set(older_key, older, HISTORY_SUMMARY_SECONDS)
    return History(older, recent.answers)


# Exam readiness ----------------------------------------------------------------------------------

@dataclass
class Readiness:
    code: str
    name: str
    answered: int  # in the recent window, now
    trend: list[int]  # oldest first, the last one is now

    @property
    def score(self) -> int:
        return self.trend[-1]

    @property
    def change(self) -> int:
        return self.trend[-1] - self.trend[-2]


def readiness(history: History, now: datetime, exams: list[tuple]) -> tuple[list[Readiness], datetime | None]:
    """Per active exam (id, code, name, category ids), readiness now and at the same time 1, 2, ...
    weeks ago (rules.readiness), and the moment until which it stays the same without a new answer
    (None: for good): the first moment a cutoff, moving with the clock, passes an answer."""
    cutoffs = [now - READINESS_STEP * steps for steps in range(rules.READINESS_TREND_WEEKS, -1, -1)]  # oldest first
    window = rules.READINESS_RECENT_ANSWERS
    recent = [answer for answer in history.recent if answer.answered_at <= now]  # oldest first
    results = []
    for exam_uuid, code, name, category_uuids in exams:
        exam_id, category_ids = str(exam_uuid), [str(category_id) for category_id in category_uuids]
        mine = [answer for answer in recent if exam_id in answer.exam_ids]  # oldest first
        practised = {category_id: history.older.practised.get((exam_id, category_id), 0) for category_id in category_ids}
        older_latest = history.older.latest.get(exam_id, [])
        trend, answered, seen = [], 0, 0
        for cutoff in cutoffs:
            # The answers at or before the cutoff, newest first: the recent ones, then the older ones.
            while seen < len(mine) and mine[seen].answered_at <= cutoff:
                for category_id in mine[seen].category_ids:
                    if category_id in practised:
                        practised[category_id] += 1
                seen += 1
            latest = [(a.answered_at, a.is_correct) for a in reversed(mine[max(0, seen - window):seen])]
            latest += older_latest[: window - len(latest)]
            answered, correct = len(latest), sum(1 for _, right in latest if right)
            counts = practised.values()
            coverage = sum(map(rules.category_coverage, counts)) / len(counts) if counts else 0
            trend.append(rules.readiness(answered, correct, coverage))
        results.append(Readiness(code, name, answered, trend))
    return results, readiness_until(history, now)


def readiness_until(history: History, now: datetime) -> datetime | None:
    """An answer of reach r (the cutoffs at or after it) is passed by cutoff r + 1 at answered_at +
    r steps; answers older than every cutoff never are."""
    cutoff_count = rules.READINESS_TREND_WEEKS + 1
    cutoffs = [now - READINESS_STEP * steps for steps in range(cutoff_count)]
    moments = []
    for answer in history.recent:
        reach = sum(1 for cutoff in cutoffs if cutoff >= answer.answered_at)
        if reach < cutoff_count:
            moments.append(answer.answered_at + READINESS_STEP * reach)
    return min(moments, default=None)


# Smart review ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewSummary:
    due: int
    scheduled: int
    retired: int
    next_due_at: datetime | None


def review_summary(history: History, until: datetime) -> ReviewSummary:
    """Questions due before `until` (the end of the learner's today), due later, and retired."""
    due = retired = 0
    later = []
    until = micros(until)
    for state in history.review_states.values():
        if state[DUE] is None:
            retired += state[RIGHT_IN_A_ROW] >= rules.REVIEW_RETIRE_AFTER
        elif state[DUE] < until:
            due += 1
        else:
            later.append(state[DUE])
    return ReviewSummary(due=due, scheduled=len(later), retired=retired,
                         next_due_at=moment(min(later)) if later else None)


def due_for_review(history: History, until: datetime, limit: int) -> list[UUID]:
    """The questions due before `until`, most overdue first."""
    until = micros(until)
    due = sorted(
        (state[DUE], question_id) for question_id, state in history.review_states.items()
        if state[DUE] is not None and state[DUE] < until
    )
    return [UUID(question_id) for _, question_id in due[:limit]]
