# The lead rechains this migration after the other branches' quizzes migrations at merge.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0006_exam_settings_and_blueprint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='quizsession',
            name='chk_quiz_sessions_mode',
        ),
        migrations.AlterField(
            model_name='quizsession',
            name='mode',
            field=models.TextField(choices=[('practice', 'Practice'), ('exam', 'Exam'), ('mistakes', 'My mistakes'), ('bookmarked', 'Bookmarked'), ('due_review', 'Due for review')], db_default='practice', default='practice'),
        ),
        migrations.AddConstraint(
            model_name='quizsession',
            constraint=models.CheckConstraint(condition=models.Q(('mode__in', ['practice', 'exam', 'mistakes', 'bookmarked', 'due_review'])), name='chk_quiz_sessions_mode'),
        ),
    ]
