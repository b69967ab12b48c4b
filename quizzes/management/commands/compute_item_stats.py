"""Recompute the item statistics of every answered question (quizzes.item_analysis) into the
question_stats table. A periodic job, e.g. nightly from cron:

    manage.py compute_item_stats
"""

from django.core.management.base import BaseCommand

from quizzes.item_analysis import compute_item_stats
from quizzes.models import QuestionStats


class Command(BaseCommand):
    help = "Recompute per-question item statistics (attempts, facility, discrimination, option shares)."

    def handle(self, *args, **options):
        analysed = compute_item_stats()
        flagged = QuestionStats.objects.filter(check_key=True).count()
        self.stdout.write(f"{analysed} question(s) analysed, {flagged} flagged \u201ccheck the key\u201d.")
