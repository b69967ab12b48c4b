"""Recompute every learner's progress from the recorded answers and report any drift.

    manage.py recompute_progress            # report only, changes nothing
    manage.py recompute_progress --fix      # also correct drifted rows and unlock missing badges
    manage.py recompute_progress --user alice

On consistent data it reports no drift and changes nothing. Run it with --fix after changing a
number in gamification/rules.py."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from gamification import services
from gamification.models import UserProgress
from gamification.recompute import Figures, expected_progress
from quizzes.models import QuizSession

CHUNK = 200  # learners per query


def counts(entry) -> str:
    if not isinstance(entry, dict):
        return "none" if entry is None else str(entry)
    return f"{entry.get('correct')}/{entry.get('attempted')} right"


def describe(name, stored, expected) -> str:
    if name == "category_stats":
        keys = sorted((set(stored) | set(expected)) - {"version"})
        changes = [f"{key} {counts(stored.get(key))} → {counts(expected.get(key))}" for key in keys
                   if stored.get(key) != expected.get(key)]
        return "category_stats " + ("; ".join(changes) or f"{stored} → {expected}")
    return f"{name} {stored} → {expected}"


class Command(BaseCommand):
    help = "Recompute learners' progress from session_questions; report drift, --fix to correct it."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Correct drifted progress and unlock missing badges.")
        parser.add_argument("--user", help="Only the learner with this username.")

    def handle(self, *args, fix=False, user=None, **options):
        learners = get_user_model().objects.filter(
            Exists(UserProgress.objects.filter(user=OuterRef("pk")))
            | Exists(QuizSession.objects.filter(user=OuterRef("pk")))
        )
        if user:
            learners = learners.filter(username=user)
        learners = list(learners.only("id", "username", "time_zone").order_by("pk"))
        drifted = badges = 0
        for start in range(0, len(learners), CHUNK):
            chunk = {learner.pk: learner for learner in learners[start : start + CHUNK]}
            drifted += self.check_progress(chunk, fix)
            badges += self.check_badges(chunk, fix)
        summary = f"Checked {len(learners)} learner{'s' if len(learners) != 1 else ''}: {drifted} with drift"
        summary += f", {badges} badge{'s' if badges != 1 else ''} to unlock."
        if (drifted or badges) and fix:
            summary += " Fixed."
        elif drifted or badges:
            summary += " Run with --fix to correct."
        self.stdout.write(summary)

    def check_progress(self, chunk: dict, fix: bool) -> int:
        stored = {row.pk: Figures.of(row) for row in UserProgress.objects.filter(user__in=list(chunk))}
        drifted = 0
        for pk, expected in expected_progress(chunk.values()).items():
            current = stored.get(pk)
            if current is None:
                if expected == Figures():
                    continue  # quizzes without a final answer yet: no row needed
                differences = {"progress row": ("missing", "created")}
            else:
                differences = current.differences(expected)
            if differences:
                drifted += 1
                details = ", ".join(describe(name, *values) for name, values in differences.items())
                self.stdout.write(f"{chunk[pk].username}: {details}")
                if fix:
                    services.rebuild_progress(user=chunk[pk])
        return drifted

    def check_badges(self, chunk: dict, fix: bool) -> int:
        """Badges the (corrected) progress qualifies for but that are not unlocked, e.g. new ones."""
        missing = services.unlock_badges_of(list(chunk), dry_run=not fix)
        for pk, name in missing:
            self.stdout.write(f"{chunk[pk].username}: badge {name} {'unlocked' if fix else 'not unlocked yet'}")
        return len(missing)
