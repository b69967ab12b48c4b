"""Progress as rows the answer writes: one receiver applies gamification.rules to each answer as it
becomes final, inside the answer's transaction, with the learner's user_progress row locked.

A Ledger holds the rows an answer changes (the progress row, the day's activity, the question's
review card, the readiness of the question's exams, the badges not unlocked yet) and applies the
answers to them in Python. Live, `record` loads just those rows, applies one batch (one practice
answer, or a whole exam when it is submitted) and writes them back: a fixed number of queries
whatever the learner's history. `replay` starts from empty rows and applies every final answer of
the learner, batch by batch in the order they became final, through the same Ledger: what
`recompute_progress` rebuilds and checks against."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from gamification import announcements, rules
from gamification.announcements import Announcement
from gamification.models import Badge, DailyActivity, ExamReadiness, ReviewCard, UserBadge, UserProgress
from quizzes.models import QuestionCategory, QuestionExam, QuizMode, QuizSession, SessionQuestion

DAY_FIELDS = ["answered", "correct", "study_seconds", "xp"]
CARD_FIELDS = ["state", "step", "stability", "difficulty", "last_review", "due", "reviews", "lapses"]
READINESS_FIELDS = ["score", "answered", "categories"]


@dataclass(frozen=True)
class FinalAnswer:
    id: int
    session_id: UUID
    question_id: UUID
    answered_at: datetime
    is_correct: bool
    seconds: int  # since the previous answer of the quiz, or its start
    category_codes: tuple[str, ...]
    exam_ids: tuple[UUID, ...]


def final_answers(session_questions) -> list[FinalAnswer]:
    """The answered ones of `session_questions` with what progress needs, each quiz's in the order
    they were given (one query). An answer's think time runs from the quiz's answer given just
    before it (by time, then id), or from the quiz's start: read per row, so that one answer can be
    read alone."""
    codes = QuestionCategory.objects.filter(question_id=OuterRef("question_id")).order_by("category__code")
    exams = QuestionExam.objects.filter(question_id=OuterRef("question_id")).order_by("exam_id")
    given_before = SessionQuestion.objects.filter(
        Q(answered_at__lt=OuterRef("answered_at")) | Q(answered_at=OuterRef("answered_at"), pk__lt=OuterRef("pk")),
        session_id=OuterRef("session_id"),
    ).order_by("-answered_at", "-pk")
    rows = (
        session_questions.filter(answered_at__isnull=False)
        .annotate(
            codes=ArraySubquery(codes.values("category__code")),
            exams=ArraySubquery(exams.values("exam_id")),
            since=Coalesce(Subquery(given_before.values("answered_at")[:1]), "session__started_at"),
        )
        .order_by("session_id", "answered_at", "pk")
        .values_list("pk", "session_id", "question_id", "answered_at", "is_correct", "since", "codes", "exams")
    )
    # "version" is category_stats' own key, not a category.
    return [
        FinalAnswer(pk, session_id, question_id, answered_at, bool(is_correct),
                    seconds=(answered_at - since) // timedelta(seconds=1),
                    category_codes=tuple(code for code in codes if code != "version"), exam_ids=tuple(exams))
        for pk, session_id, question_id, answered_at, is_correct, since, codes, exams in rows
    ]


@dataclass
class Ledger:
    user: object
    progress: UserProgress
    days: dict[date, DailyActivity] = field(default_factory=dict)
    cards: dict[UUID, ReviewCard] = field(default_factory=dict)
    readiness: dict[UUID, ExamReadiness] = field(default_factory=dict)
    locked_badges: list[Badge] = field(default_factory=list)
    unlocked: list[Badge] = field(default_factory=list)

    def apply(self, answers: list[FinalAnswer], *, bonus_xp: int = 0, bonus_at: datetime | None = None) -> None:
        """One batch of final answers (in the order given), then the quiz's bonus, then badges."""
        for answer in answers:
            self.count_answer(answer)
        if bonus_xp:
            self.progress.add_xp(bonus_xp)
            self.day(rules.local_day(bonus_at, self.user.tzinfo)).xp += bonus_xp
        for badge in list(self.locked_badges):
            if rules.qualifies_for(badge, self.progress):
                self.locked_badges.remove(badge)
                self.unlocked.append(badge)

    def count_answer(self, answer: FinalAnswer) -> None:
        day = rules.local_day(answer.answered_at, self.user.tzinfo)
        xp, seconds = rules.xp_for_answer(answer.is_correct), rules.study_seconds(answer.seconds)
        self.progress.count_answer(answer.is_correct, answer.category_codes, answered_at=answer.answered_at,
                                   day=day, xp=xp, seconds=seconds)
        self.day(day).count_answer(is_correct=answer.is_correct, seconds=seconds, xp=xp)
        card = self.cards.get(answer.question_id)
        if card is None:
            card = self.cards[answer.question_id] = ReviewCard.new(user=self.user, question_id=answer.question_id)
        card.review(rules.review_rating(answer.is_correct, answer.seconds), answer.answered_at)
        for exam_id in answer.exam_ids:
            readiness = self.readiness.get(exam_id)
            if readiness is None:
                readiness = self.readiness[exam_id] = ExamReadiness(user=self.user, exam_id=exam_id)
            readiness.count_answer(answer.category_codes, answer.is_correct, week=rules.week_of(day))

    def day(self, day: date) -> DailyActivity:
        if day not in self.days:
            self.days[day] = DailyActivity(user=self.user, day=day)
        return self.days[day]

    def save(self) -> None:
        """Write the rows back: the progress row with update_fields, the others in one
        INSERT ... ON CONFLICT DO UPDATE per table (new and existing rows alike: under the progress
        row's lock nobody else writes this learner's rows)."""
        self.progress.save(update_fields=UserProgress.PROGRESS_FIELDS)
        upsert(DailyActivity, self.days.values(), ["user", "day"], DAY_FIELDS)
        upsert(ReviewCard, self.cards.values(), ["user", "question"], CARD_FIELDS)
        upsert(ExamReadiness, self.readiness.values(), ["user", "exam"], READINESS_FIELDS)
        UserBadge.objects.bulk_create(
            [UserBadge(user=self.user, badge=badge) for badge in self.unlocked], batch_size=1000, ignore_conflicts=True
        )


def upsert(model, rows, unique_fields: list[str], update_fields: list[str]) -> None:
    rows = list(rows)
    for row in rows:
        row.pk = None  # bulk_create writes rows with and without a key in two statements
    # A rebuild writes every row of the learner: batches keep each statement under PostgreSQL's
    # 65,535 parameters.
    model.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=unique_fields,
                              update_fields=update_fields)


def locked_progress(user) -> UserProgress:
    """The learner's progress row, created if missing, locked until the transaction ends."""
    progress = UserProgress.objects.select_for_update().filter(pk=user.pk).first()
    if progress is None:
        UserProgress.objects.bulk_create([UserProgress(user=user)], ignore_conflicts=True)
        progress = UserProgress.objects.select_for_update().get(pk=user.pk)
    return progress


def open_ledger(user, answers: list[FinalAnswer], bonus_at: datetime | None) -> Ledger:
    """The learner's rows that `answers` (and a bonus at `bonus_at`) change, the progress row locked."""
    progress = locked_progress(user)
    days = {rules.local_day(answer.answered_at, user.tzinfo) for answer in answers}
    if bonus_at is not None:
        days.add(rules.local_day(bonus_at, user.tzinfo))
    ledger = Ledger(user, progress)
    ledger.days = {row.day: row for row in DailyActivity.objects.filter(user=user, day__in=days)}
    if answers:
        question_ids = {answer.question_id for answer in answers}
        ledger.cards = {row.question_id: row for row in ReviewCard.objects.filter(user=user, question__in=question_ids)}
        exam_ids = {exam_id for answer in answers for exam_id in answer.exam_ids}
        if exam_ids:
            ledger.readiness = {
                row.exam_id: row for row in ExamReadiness.objects.filter(user=user, exam__in=exam_ids)
            }
        unlocked = UserBadge.objects.filter(user=user, badge=OuterRef("pk"))
        ledger.locked_badges = list(Badge.objects.exclude(Exists(unlocked)))
    return ledger


def record(*, user, answers: list[FinalAnswer], bonus_xp: int = 0, bonus_at: datetime | None = None) -> None:
    """Add one batch of final answers, and a finished quiz's bonus, to the learner's rows. Runs in
    the caller's (the answer's) transaction."""
    if not answers and not bonus_xp:
        return
    with transaction.atomic(savepoint=False):
        ledger = open_ledger(user, answers, bonus_at if bonus_xp else None)
        level = ledger.progress.level
        ledger.apply(answers, bonus_xp=bonus_xp, bonus_at=bonus_at)
        ledger.save()
    announce(ledger, level)


def announce(ledger: Ledger, level_before: int) -> None:
    progress, items = ledger.progress, []
    if progress.level > level_before:
        items.append(Announcement("level-up", f"Level {progress.level}!",
                                  f"You reached level {progress.level} with {progress.experience} XP."))
    items += [Announcement(badge.icon, f"Badge unlocked: {badge.name}", badge.description)
              for badge in sorted(ledger.unlocked, key=lambda badge: badge.name)]
    if items:
        transaction.on_commit(partial(announcements.publish, items))


def record_answer(*, session: QuizSession, session_question: SessionQuestion) -> None:
    """A practice answer, final when given."""
    record(user=session.user, answers=final_answers(SessionQuestion.objects.filter(pk=session_question.pk)))


def record_finished_session(*, session: QuizSession) -> None:
    """A finished quiz earns its bonus; an exam's answers become final now, all together, in the
    order they were given."""
    if session.is_exam:
        answers = final_answers(SessionQuestion.objects.filter(session=session))
        answered = len(answers)
    else:
        answers = []
        answered = SessionQuestion.objects.filter(session=session, answered_at__isnull=False).count()
    record(user=session.user, answers=answers, bonus_xp=rules.session_bonus(answered), bonus_at=session.completed_at)


# Replay -------------------------------------------------------------------------------------------

@dataclass
class Batch:
    final_at: datetime
    answers: list[FinalAnswer]
    bonus_xp: int = 0


def final_batches(user) -> list[Batch]:
    """The learner's final answers as the receiver saw them: each practice answer when given, a
    practice quiz's bonus when finished, an exam's answers and bonus when submitted; in that order."""
    sessions = {pk: (mode, completed_at) for pk, mode, completed_at in
                QuizSession.objects.filter(user=user).values_list("pk", "mode", "completed_at")}
    final = SessionQuestion.objects.filter(session__user=user).exclude(
        session__mode=QuizMode.EXAM, session__completed_at__isnull=True
    )
    by_session: dict[UUID, list[FinalAnswer]] = {}
    for answer in final_answers(final):
        by_session.setdefault(answer.session_id, []).append(answer)
    batches = []
    for session_id, (mode, completed_at) in sessions.items():
        answers = by_session.get(session_id, [])
        bonus = rules.session_bonus(len(answers)) if completed_at else 0
        if mode == QuizMode.EXAM:
            if completed_at:
                batches.append(Batch(completed_at, answers, bonus))
            continue
        batches += [Batch(answer.answered_at, [answer]) for answer in answers]
        if bonus:
            batches.append(Batch(completed_at, [], bonus))
    return sorted(batches, key=lambda batch: (batch.final_at, not batch.answers, batch.answers[0].id if batch.answers else 0))


def replay(user) -> Ledger:
    """Every table of the learner's progress as their final answers make it, in memory."""
    ledger = Ledger(user, UserProgress(user=user), locked_badges=list(Badge.objects.all()))
    for batch in final_batches(user):
        ledger.apply(batch.answers, bonus_xp=batch.bonus_xp, bonus_at=batch.final_at)
    return ledger


@transaction.atomic
def rebuild(*, user) -> None:
    """Replace the learner's progress rows with their replay, under the progress row's lock (an
    answer arriving meanwhile waits, then adds to the rebuilt rows). Unlocked badges are kept."""
    locked_progress(user)
    ledger = replay(user)
    DailyActivity.objects.filter(user=user).delete()
    ReviewCard.objects.filter(user=user).delete()
    ExamReadiness.objects.filter(user=user).delete()
    ledger.save()


def stored(user) -> Ledger:
    """The learner's rows as stored, in a Ledger's shape (unlocked: the badges they own)."""
    owned = UserBadge.objects.filter(user=user).values("badge")
    return Ledger(
        user,
        UserProgress.objects.filter(pk=user.pk).first() or UserProgress(user=user),
        days={row.day: row for row in DailyActivity.objects.filter(user=user)},
        cards={row.question_id: row for row in ReviewCard.objects.filter(user=user)},
        readiness={row.exam_id: row for row in ExamReadiness.objects.filter(user=user)},
        unlocked=list(Badge.objects.filter(pk__in=owned)),
    )


def differences(user) -> list[str]:
    """What the stored rows of the learner get wrong, compared with their replay (empty: none)."""
    have, want = stored(user), replay(user)
    found = []
    for name in UserProgress.PROGRESS_FIELDS:
        if name != "updated_at" and getattr(have.progress, name) != getattr(want.progress, name):
            found.append(f"{name} {getattr(have.progress, name)} → {getattr(want.progress, name)}")
    tables = [("day", have.days, want.days, DAY_FIELDS), ("review card", have.cards, want.cards, CARD_FIELDS),
              ("readiness of exam", have.readiness, want.readiness, READINESS_FIELDS)]
    for label, rows, wanted, names in tables:
        for key in sorted(set(rows) | set(wanted), key=str):
            values = [{name: getattr(row, name) for name in names} if row else None
                      for row in (rows.get(key), wanted.get(key))]
            if values[0] != values[1]:
                found.append(f"{label} {key}: {values[0] or 'missing'} → {values[1] or 'none'}")
    owned = {badge.pk for badge in have.unlocked}
    found += [f"badge {badge.name} not unlocked" for badge in want.unlocked if badge.pk not in owned]
    return found
