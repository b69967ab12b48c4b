"""Writing progress: every final answer, in the answer's own transaction, with fixed SQL.

Each answer costs two statements whatever the learner's history (on a learner's very first answer
the UPDATE finds no progress row: INSERT ... ON CONFLICT DO NOTHING creates it and the UPDATE runs
again): ONE UPDATE whose expressions add to the row as it is when the
UPDATE takes its row lock (so concurrent answers never lose an update: PostgreSQL re-evaluates
the expressions on the latest row version), and one INSERT ... SELECT that unlocks every badge the
new figures qualify for (ON CONFLICT DO NOTHING on the unique pair: at most once)."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from django.db import connection, transaction
from django.db.models import F, IntegerField, JSONField
from django.db.models.expressions import RawSQL

from gamification import announcements, rules
from gamification.announcements import Announcement
from gamification.models import LeaderboardProfile, UserProgress
from quizzes.models import QuizSession, SessionQuestion


@dataclass(frozen=True)
class Answer:
    id: int
    answered_at: datetime
    is_correct: bool

    @classmethod
    def of(cls, session_question: SessionQuestion) -> "Answer":
        return cls(session_question.pk, session_question.answered_at, bool(session_question.is_correct))


def record_answers(*, session: QuizSession, answers: list[Answer], bonus_xp: int = 0) -> None:
    """Add final answers of one quiz, and its finishing bonus if any, to the learner's progress."""
    correct = sum(1 for answer in answers if answer.is_correct)
    gained = rules.xp_for_answers(correct, len(answers) - correct) + bonus_xp
    if not answers and not gained:
        return
    changes = {
        "experience": F("experience") + gained,
        "level": RawSQL(rules.level_sql('"user_progress"."experience" + %s'), [gained], output_field=IntegerField()),
    }
    if answers:
        changes.update(answer_changes(session, answers, correct))
    if not UserProgress.objects.filter(pk=session.user_id).update(**changes):
        ensure_progress(session.user_id)
        UserProgress.objects.filter(pk=session.user_id).update(**changes)
    if answers:
        announce_after_commit(unlock_badges(session.user_id, gained=gained))


def answer_changes(session: QuizSession, answers: list[Answer], correct: int) -> dict:
    tzinfo = session.user.tzinfo
    days = sorted({rules.local_day(answer.answered_at, tzinfo) for answer in answers})
    ids = [answer.id for answer in answers]
    seconds = RawSQL(
        STUDY_SECONDS_SQL, [rules.STUDY_SECONDS_CAP_PER_ANSWER, session.pk, ids], output_field=IntegerField()
    )
    streak_sql, streak_params = streak_update_sql(days)
    return {
        "total_questions": F("total_questions") + len(answers),
        "correct_answers": F("correct_answers") + correct,
        "accuracy": RawSQL(ACCURACY_SQL, [correct, len(answers)]),
        "study_seconds": F("study_seconds") + seconds,
        "study_time": (F("study_seconds") + seconds) / 60,
        "streak": RawSQL(streak_sql, streak_params, output_field=IntegerField()),
        "last_study_day": RawSQL('GREATEST("user_progress"."last_study_day", %s::date)', [days[-1]]),
        "last_study_date": RawSQL(
            'GREATEST("user_progress"."last_study_date", %s::timestamptz)', [max(a.answered_at for a in answers)]
        ),
        "category_stats": RawSQL(CATEGORY_STATS_SQL, [ids], output_field=JSONField()),
    }


def ensure_progress(user_id) -> None:
    UserProgress.objects.bulk_create([UserProgress(user_id=user_id)], ignore_conflicts=True)


ACCURACY_SQL = """
COALESCE(ROUND(100.0 * ("user_progress"."correct_answers" + %s)
               / NULLIF("user_progress"."total_questions" + %s, 0), 2), 0)
"""

# Seconds since the previous answer of the same quiz (its start for the first), per answer, capped.
STUDY_SECONDS_SQL = """
(SELECT COALESCE(SUM(LEAST(%s, GREATEST(0, FLOOR(EXTRACT(EPOCH FROM timed.gap))))), 0)::int
   FROM (SELECT sq.id, sq.answered_at - COALESCE(
                  LAG(sq.answered_at) OVER (ORDER BY sq.answered_at, sq.id), quiz.started_at) AS gap
           FROM session_questions sq JOIN quiz_sessions quiz ON quiz.id = sq.session_id
          WHERE sq.session_id = %s AND sq.answered_at IS NOT NULL) timed
  WHERE timed.id = ANY(%s::bigint[]))
"""

# One key per category code: the sums of the row as it is now plus these answers (the `||`
# replaces each touched key whole, leaves the others and "version" alone).
CATEGORY_STATS_SQL = """
"user_progress"."category_stats" || COALESCE((
  SELECT jsonb_object_agg(added.code, jsonb_build_object(
           'attempted', COALESCE(("user_progress"."category_stats" -> added.code ->> 'attempted')::int, 0)
                        + added.attempted,
           'correct', COALESCE(("user_progress"."category_stats" -> added.code ->> 'correct')::int, 0)
                      + added.correct))
    FROM (SELECT category.code, count(*) AS attempted, count(*) FILTER (WHERE sq.is_correct) AS correct
            FROM session_questions sq
            JOIN question_categories link ON link.question_id = sq.question_id
            JOIN categories category ON category.id = link.category_id
           WHERE sq.id = ANY(%s::bigint[]) AND category.code <> 'version'
           GROUP BY category.code) added
), '{}'::jsonb)
"""


def trailing_run(days: list[date]) -> int:
    """How many of the sorted `days` end in a run of consecutive days."""
    run = 1
    while run < len(days) and (days[-run] - days[-run - 1]).days == 1:
        run += 1
    return run


def streak_update_sql(days: list[date]) -> tuple[str, list]:
    """rules.advance_streak applied to each of `days` (sorted, distinct) in turn, as one SQL CASE on
    the row's current streak and last_study_day. The days after last_study_day are a suffix of
    `days`: one branch per possible suffix, so the expression grows with the number of days (one
    for an answer, rarely more than two for an exam)."""
    last, streak = '"user_progress"."last_study_day"', '"user_progress"."streak"'
    sql = [f"CASE WHEN {last} IS NULL THEN %s WHEN {last} >= %s THEN {streak}"]
    params = [trailing_run(days), days[-1]]
    for start in range(len(days) - 1, -1, -1):
        suffix = days[start:]
        if trailing_run(suffix) == len(suffix):  # all consecutive: it continues the streak if it starts the day after
            value = f"CASE WHEN {last} + 1 = %s THEN {streak} + %s ELSE %s END"
            value_params = [suffix[0], len(suffix), len(suffix)]
        else:
            value, value_params = "%s", [trailing_run(suffix)]
        if start:
            sql.append(f"WHEN {last} >= %s THEN {value}")
            params += [days[start - 1], *value_params]
        else:
            sql.append(f"ELSE {value} END")
            params += value_params
    return " ".join(sql), params


# The badges the learner's progress row qualifies for (a CASE per requirement type).
QUALIFIES_SQL = f"""
CASE badge.requirement_type
  WHEN 'questions_solved' THEN progress.total_questions >= badge.requirement_value
  WHEN 'accuracy' THEN progress.total_questions >= {int(rules.ACCURACY_BADGE_MIN_ANSWERS)}
                       AND progress.accuracy >= badge.requirement_value
  WHEN 'streak' THEN progress.streak >= badge.requirement_value
  WHEN 'category_mastery' THEN
    COALESCE((progress.category_stats -> badge.requirement_category ->> 'attempted')::int, 0)
      >= {int(rules.MASTERY_MIN_ATTEMPTS)}
    AND 100 * COALESCE((progress.category_stats -> badge.requirement_category ->> 'correct')::int, 0)
      >= badge.requirement_value * (progress.category_stats -> badge.requirement_category ->> 'attempted')::int
  ELSE false
END
"""

MISSING_BADGES_SQL = f"""
SELECT progress.user_id, badge.id FROM user_progress progress CROSS JOIN badges badge
 WHERE progress.user_id = ANY(%s) AND ({QUALIFIES_SQL})
   AND NOT EXISTS (SELECT 1 FROM user_badges owned WHERE owned.user_id = progress.user_id AND owned.badge_id = badge.id)
"""

UNLOCK_BADGES_SQL = f"""
WITH unlocked AS (
  INSERT INTO user_badges (user_id, badge_id) {MISSING_BADGES_SQL}
  ON CONFLICT (user_id, badge_id) DO NOTHING
  RETURNING user_id, badge_id
)
SELECT progress.user_id, progress.level, progress.experience, badge.name, badge.icon, badge.description
  FROM user_progress progress
  LEFT JOIN unlocked ON unlocked.user_id = progress.user_id
  LEFT JOIN badges badge ON badge.id = unlocked.badge_id
 WHERE progress.user_id = ANY(%s)
 ORDER BY progress.user_id, badge.name
"""


def unlock_badges(user_id, *, gained: int = 0) -> list[Announcement]:
    """Unlock what the learner now qualifies for; announce it, and the level reached if `gained`
    XP crossed a level threshold. The NOT EXISTS spares the id sequence; ON CONFLICT settles a
    race between two answers unlocking the same badge."""
    with connection.cursor() as cursor:
        cursor.execute(UNLOCK_BADGES_SQL, [[user_id], [user_id]])
        rows = cursor.fetchall()
    if not rows:
        return []
    _, level, experience = rows[0][:3]
    items = []
    if gained and level > rules.level_for_xp(experience - gained):
        items.append(Announcement("⬆️", f"Level {level}!", f"You reached level {level} with {experience} XP."))
    items += [Announcement(icon, f"Badge unlocked: {name}", text) for _, _, _, name, icon, text in rows if name]
    return items


def unlock_badges_of(user_ids: list, *, dry_run: bool = False) -> list[tuple]:
    """(user id, badge name) of the badges these learners qualify for but have not unlocked; with
    dry_run False they are unlocked. For the recompute command (e.g. a badge added later)."""
    with connection.cursor() as cursor:
        if dry_run:
            cursor.execute(
                f"SELECT missing.user_id, badge.name FROM ({MISSING_BADGES_SQL}) missing"
                " JOIN badges badge ON badge.id = missing.id ORDER BY missing.user_id, badge.name",
                [user_ids],
            )
            return cursor.fetchall()
        cursor.execute(UNLOCK_BADGES_SQL, [user_ids, user_ids])
        return [(user_id, name) for user_id, _, _, name, _, _ in cursor.fetchall() if name]


def announce_after_commit(items: list[Announcement]) -> None:
    if items:
        transaction.on_commit(partial(announcements.publish, items))


def count_finished_session(*, session: QuizSession) -> None:
    """A finished quiz earns the bonus. An exam's answers become final now, all at once: they are
    counted here in one batch (the exam's answer_recorded signals are ignored, see receivers)."""
    rows = SessionQuestion.objects.filter(session=session, answered_at__isnull=False).values_list(
        "id", "answered_at", "is_correct"
    )
    answers = [Answer(pk, answered_at, bool(is_correct)) for pk, answered_at, is_correct in rows]
    record_answers(
        session=session, answers=answers if session.is_exam else [], bonus_xp=rules.session_bonus(len(answers))
    )


@transaction.atomic
def rebuild_progress(*, user) -> None:
    """Recompute the learner's progress from their recorded answers, under the row lock (an answer
    arriving meanwhile waits, then adds to the rebuilt row), and unlock the badges it qualifies for."""
    from gamification.recompute import expected_progress  # recompute imports this module

    ensure_progress(user.pk)
    UserProgress.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()
    figures = expected_progress([user])[user.pk]
    UserProgress.objects.filter(pk=user.pk).update(**figures.as_fields())
    unlock_badges(user.pk)


@transaction.atomic
def merge_guest_progress(*, guest, user) -> None:
    """The guest's quizzes now belong to `user`: keep the guest's badges and rebuild the progress."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO user_badges (user_id, badge_id, unlocked_at)"
            " SELECT %s, badge_id, unlocked_at FROM user_badges WHERE user_id = %s"
            " ON CONFLICT (user_id, badge_id) DO NOTHING",
            [user.pk, guest.pk],
        )
    rebuild_progress(user=user)


def set_leaderboard_name(*, user, display_name: str | None) -> LeaderboardProfile | None:
    """Join the weekly leaderboard under `display_name`, change it, or leave (None)."""
    if not display_name:
        LeaderboardProfile.objects.filter(user=user).delete()
        return None
    profile, _ = LeaderboardProfile.objects.update_or_create(user=user, defaults={"display_name": display_name})
    return profile
