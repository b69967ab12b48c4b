"""Rebuild learners' progress (user_progress, daily_activity, review_cards, exam_readiness, badges)
by replaying their final answers through the answer's own rules (gamification.progress).

    manage.py recompute_progress                # rebuild every learner
    manage.py recompute_progress --check        # report the differences, change nothing
    manage.py recompute_progress --user alice   # one learner

Run it after changing a rule in gamification/rules.py. --check exits with status 1 on a difference."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from gamification import progress
from gamification.models import UserProgress
from quizzes.models import QuizSession


class Command(BaseCommand):
    help = "Rebuild learners' progress by replaying their answers; --check reports differences only."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report differences, change nothing.")
        parser.add_argument("--user", help="Only the learner with this username.")

    def handle(self, *args, check=False, user=None, **options):
        learners = get_user_model().objects.filter(
            Exists(UserProgress.objects.filter(user=OuterRef("pk")))
            | Exists(QuizSession.objects.filter(user=OuterRef("pk")))
        )
        if user:
            learners = learners.filter(username=user)
            if not learners.exists():
                raise CommandError(f"No learner with the username {user!r} has progress or quizzes.")
        different = 0
        for learner in learners.order_by("pk").iterator(chunk_size=200):
            found = progress.differences(learner)
            if found:
                different += 1
                for line in found:
                    self.stdout.write(f"{learner.username}: {line}")
                if not check:
                    progress.rebuild(user=learner)
        total = learners.count()
        summary = f"Checked {total} learner{'s' if total != 1 else ''}: {different} with differences."
        if different and not check:
            summary += " Rebuilt."
        self.stdout.write(summary)
        if different and check:
            raise SystemExit(1)
