from django.db import migrations


def backfill(apps, schema_editor):
    """Fill the new tables (and rebuild user_progress) by replaying every learner's answers."""
    SessionQuestion = apps.get_model("quizzes", "SessionQuestion")
    if not SessionQuestion.objects.filter(answered_at__isnull=False).exists():
        return  # a new database: nothing to replay, and the current code below is never touched
    # The replay goes through the live code (gamification.progress), the one copy of the rules, with
    # the current models: an existing database runs this right after 0004, when they match it.
    from django.contrib.auth import get_user_model

    from gamification import progress

    QuizSession = apps.get_model("quizzes", "QuizSession")
    learners = get_user_model().objects.filter(pk__in=QuizSession.objects.values("user_id")).order_by("pk")
    for learner in learners.iterator(chunk_size=200):
        progress.rebuild(user=learner)


class Migration(migrations.Migration):
    # The replay runs the live code, so the tables it reads must be as this release leaves them.
    dependencies = [("gamification", "0004_progress_rows"), ("quizzes", "0009_question_stats")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
