"""Progress recomputed from the recorded answers (session_questions), for the recompute_progress
command and the guest merge.

It replays what the answer service did, with the same rules: answers in the order they became
final (a practice answer when given, an exam's answers together when the exam was completed),
study time per quiz, streak by calendar day in the learner's current time zone."""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from gamification import rules
from quizzes.models import QuizMode

FINAL_ANSWERS_SQL = """
SELECT quiz.user_id, quiz.id, quiz.mode, quiz.started_at, quiz.completed_at, sq.id, sq.answered_at, sq.is_correct,
       ARRAY(SELECT category.code FROM question_categories link
               JOIN categories category ON category.id = link.category_id
              WHERE link.question_id = sq.question_id AND category.code <> 'version')
  FROM session_questions sq JOIN quiz_sessions quiz ON quiz.id = sq.session_id
 WHERE quiz.user_id = ANY(%s) AND sq.answered_at IS NOT NULL
   AND (quiz.mode <> 'exam' OR quiz.completed_at IS NOT NULL)
 ORDER BY quiz.user_id, quiz.id, sq.answered_at, sq.id
"""


@dataclass
class Figures:
    """The user_progress columns progress is made of."""

    level: int = 1
    experience: int = 0
    total_questions: int = 0
    correct_answers: int = 0
    accuracy: Decimal = Decimal("0.00")
    study_time: int = 0
    study_seconds: int = 0
    streak: int = 0
    last_study_date: datetime | None = None
    last_study_day: date | None = None
    category_stats: dict = field(default_factory=lambda: {"version": 1})

    def as_fields(self) -> dict:
        return asdict(self)

    @classmethod
    def of(cls, progress) -> "Figures":
        return cls(**{name: getattr(progress, name) for name in cls.__dataclass_fields__})

    def differences(self, expected: "Figures") -> dict:
        """{field: (stored, expected)} for every field that differs."""
        stored, wanted = self.as_fields(), expected.as_fields()
        return {name: (stored[name], wanted[name]) for name in wanted if stored[name] != wanted[name]}


def expected_progress(users) -> dict:
    """{user id: Figures} for `users` (objects with pk and tzinfo), in one query."""
    users = {user.pk: user for user in users}
    answers_by_user = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(FINAL_ANSWERS_SQL, [list(users)])
        for row in cursor.fetchall():
            answers_by_user[row[0]].append(row[1:])
    return {pk: replay(answers_by_user[pk], user.tzinfo) for pk, user in users.items()}


def replay(rows, tzinfo) -> Figures:
    """Rows of (session id, mode, started_at, completed_at, answer id, answered_at, is_correct,
    category codes), ordered by session, then answered_at and id."""
    figures = Figures()
    categories = defaultdict(lambda: {"attempted": 0, "correct": 0})
    batches = []  # (final_at, session id, days) in the order the streak saw them
    sessions = defaultdict(list)
    for row in rows:
        sessions[row[0]].append(row)

    for session_id, answers in sessions.items():
        _, mode, started_at, completed_at = answers[0][:4]
        previous = started_at
        for *_, answered_at, is_correct, codes in answers:
            figures.total_questions += 1
            figures.correct_answers += 1 if is_correct else 0
            figures.study_seconds += rules.study_seconds(answered_at - previous)
            previous = answered_at
            for code in codes:
                categories[code]["attempted"] += 1
                categories[code]["correct"] += 1 if is_correct else 0
        days = [rules.local_day(answer[5], tzinfo) for answer in answers]
        if mode == QuizMode.EXAM:
            batches.append((completed_at, session_id, sorted(set(days))))
        else:
            batches += [(answer[5], session_id, [day]) for answer, day in zip(answers, days)]
        if completed_at is not None:
            figures.experience += rules.session_bonus(len(answers))
        figures.last_study_date = max(filter(None, [figures.last_study_date, answers[-1][5]]))

    for _, _, days in sorted(batches, key=lambda batch: (batch[0], str(batch[1]))):
        for day in days:
            figures.streak, figures.last_study_day = rules.advance_streak(figures.streak, figures.last_study_day, day)

    wrong = figures.total_questions - figures.correct_answers
    figures.experience += rules.xp_for_answers(figures.correct_answers, wrong)
    figures.level = rules.level_for_xp(figures.experience)
    figures.accuracy = rules.accuracy(figures.correct_answers, figures.total_questions)
    figures.study_time = figures.study_seconds // 60
    figures.category_stats = {"version": 1, **{code: dict(counts) for code, counts in sorted(categories.items())}}
    return figures
