from django.db import migrations

from certquiz.migration_sql import database_on_delete, updated_at_trigger


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_initial"), ("accounts", "0002_database_rules")]

    operations = [
        updated_at_trigger("user_progress"),
        database_on_delete("user_progress", "user_id", "users(id)", "CASCADE"),
        database_on_delete("user_badges", "user_id", "users(id)", "CASCADE"),
        database_on_delete("user_badges", "badge_id", "badges(id)", "CASCADE"),
    ]
