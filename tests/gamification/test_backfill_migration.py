"""Migration 0005 fills the progress tables from the answers recorded before they existed."""

import importlib

from django.apps import apps

from gamification.models import DailyActivity, ExamReadiness, ReviewCard, UserProgress
from gamification.progress import differences
from tests.helpers.gamification import make_history

backfill = importlib.import_module("gamification.migrations.0005_backfill_progress_rows").backfill


def test_the_backfill_replays_every_learners_answers(learner, other_learner, questions, clock):
    make_history(learner, questions, 40, end=clock.now, days=10)  # bulk-created: no receiver ran
    for model in (DailyActivity, ReviewCard, ExamReadiness, UserProgress):
        model.objects.all().delete()

    backfill(apps, None)

    assert UserProgress.objects.get(user=learner).total_questions == 40
    assert DailyActivity.objects.filter(user=learner).count() == 4  # four quizzes on four days
    assert ReviewCard.objects.filter(user=learner).count() == len(questions)  # each question once or more
    assert ExamReadiness.objects.filter(user=learner).exists()
    assert differences(learner) == []
    assert not UserProgress.objects.filter(user=other_learner).exists()  # no quiz: nothing to replay
