"""Item analysis (Moodle's quiz statistics) for moderators: per question, from the final answers of
finished quizzes, how many attempts, the share right (facility), how well it separates learners
who do well on the rest of their quiz from those who do not (discrimination, the point-biserial
correlation of getting it right with the rest-of-quiz score), and the share choosing each option.

A question is flagged "check the key" when the strongest learners (the top 27% by rest-of-quiz
score) choose one wrong option more often than a right one, or when discrimination is negative
over enough attempts: both are the usual sign of a wrong answer key.

Run by the `compute_item_stats` management command, a periodic job; pages only read the rows."""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from quizzes.models import QuestionOption, QuestionStats

STRONG_SHARE = 0.27
MIN_ATTEMPTS = 20  # for discrimination to flag a question
MIN_STRONG_ATTEMPTS = 5  # for the strong learners' choices to flag one
BATCH = 500

# One row per answered question of a finished quiz: right or not, and the learner's score on the
# rest of that quiz (None when the quiz had no other answered question).
ATTEMPTS_SQL = """
WITH totals AS (
    SELECT sq.session_id, count(*) AS answered, count(*) FILTER (WHERE sq.is_correct) AS correct
    FROM session_questions sq JOIN quiz_sessions s ON s.id = sq.session_id
    WHERE s.completed_at IS NOT NULL AND sq.is_correct IS NOT NULL
    GROUP BY sq.session_id
)
SELECT sq.question_id, sq.session_id, sq.is_correct,
       CASE WHEN t.answered > 1 THEN (t.correct - sq.is_correct::int)::float / (t.answered - 1) END
FROM session_questions sq JOIN totals t ON t.session_id = sq.session_id
WHERE sq.is_correct IS NOT NULL
ORDER BY sq.question_id
"""
CHOICES_SQL = """
SELECT so.question_id, so.session_id, so.option_id
FROM session_selected_options so JOIN session_questions sq
     ON sq.session_id = so.session_id AND sq.question_id = so.question_id
JOIN quiz_sessions s ON s.id = so.session_id
WHERE s.completed_at IS NOT NULL AND sq.is_correct IS NOT NULL AND so.question_id = ANY(%s)
"""


@dataclass
class Attempt:
    session_id: object
    is_correct: bool
    rest: float | None
    chosen: set = field(default_factory=set)


def point_biserial(pairs: list[tuple[bool, float]]) -> float | None:
    """Pearson's correlation of right (1) / wrong (0) with the rest-of-quiz score."""
    n = len(pairs)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in pairs) / n
    mean_y = sum(y for _, y in pairs) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    var_x = sum((x - mean_x) ** 2 for x, _ in pairs)
    var_y = sum((y - mean_y) ** 2 for _, y in pairs)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def analyse(question_id, attempts: list[Attempt], options: list[QuestionOption], now) -> QuestionStats:
    """One question's statistics from its attempts (pure: the tests call it directly too)."""
    n = len(attempts)
    ranked = [a for a in attempts if a.rest is not None]
    discrimination = point_biserial([(a.is_correct, a.rest) for a in ranked])
    ranked.sort(key=lambda a: a.rest, reverse=True)
    strong = ranked[:math.ceil(STRONG_SHARE * len(ranked))] if ranked else []
    shares = []
    for option in options:
        chosen = sum(option.pk in a.chosen for a in attempts)
        strong_chosen = sum(option.pk in a.chosen for a in strong)
        shares.append({"option": str(option.pk), "text": option.text[:200], "is_correct": option.is_correct,
                       "share": chosen / n if n else 0.0, "strong": strong_chosen,
                       "strong_share": strong_chosen / len(strong) if strong else 0.0})
    reasons = []
    right = [s["strong"] for s in shares if s["is_correct"]]
    wrong = [s for s in shares if not s["is_correct"]]
    if len(strong) >= MIN_STRONG_ATTEMPTS and right and wrong:
        lure = max(wrong, key=lambda s: s["strong"])
        if lure["strong"] > min(right):
            reasons.append(f"the strongest learners chose the wrong option “{lure['text'][:60]}” "
                           f"more often ({lure['strong']} of {len(strong)}) than a right one ({min(right)}).")
    if discrimination is not None and discrimination < 0 and len(ranked) >= MIN_ATTEMPTS:
        reasons.append(f"negative discrimination ({discrimination:.2f}) over {len(ranked)} attempts.")
    return QuestionStats(
        question_id=question_id,
        attempts=n,
        facility=sum(a.is_correct for a in attempts) / n if n else None,
        discrimination=discrimination,
        option_shares=shares,
        check_key=bool(reasons),
        check_key_reason=" ".join(reasons),
        computed_at=now,
    )


def _attempts_by_question():
    """(question id, [Attempt, ...]) for every answered question, one question at a time."""
    with connection.cursor() as cursor:
        cursor.execute(ATTEMPTS_SQL)
        current, attempts = None, []
        for question_id, session_id, is_correct, rest in cursor:
            if question_id != current and attempts:
                yield current, attempts
                attempts = []
            current = question_id
            attempts.append(Attempt(session_id, is_correct, rest))
        if attempts:
            yield current, attempts


@transaction.atomic
def compute_item_stats(*, now=None) -> int:
    """Recompute every question's statistics (rows of questions no longer answered are removed).
    Returns the number of questions analysed."""
    now = now or timezone.now()
    rows = []
    pending: list[tuple] = []

    def flush():
        ids = [question_id for question_id, _ in pending]
        options = defaultdict(list)
        for option in QuestionOption.objects.filter(question_id__in=ids).order_by("question_id", "display_order"):
            options[option.question_id].append(option)
        by_attempt = {}
        for question_id, attempts in pending:
            for attempt in attempts:
                by_attempt[(question_id, attempt.session_id)] = attempt
        with connection.cursor() as cursor:
            cursor.execute(CHOICES_SQL, [ids])
            for question_id, session_id, option_id in cursor.fetchall():
                attempt = by_attempt.get((question_id, session_id))
                if attempt is not None:
                    attempt.chosen.add(option_id)
        rows.extend(analyse(question_id, attempts, options[question_id], now) for question_id, attempts in pending)
        pending.clear()

    for question_id, attempts in _attempts_by_question():
        pending.append((question_id, attempts))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    QuestionStats.objects.bulk_create(
        rows, batch_size=BATCH, update_conflicts=True, unique_fields=["question"],
        update_fields=["attempts", "facility", "discrimination", "option_shares", "check_key", "check_key_reason",
                       "computed_at"],
    )
    QuestionStats.objects.exclude(computed_at=now).delete()
    return len(rows)
