from django.db import migrations

from certquiz.migration_sql import updated_at_trigger


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("accounts", "0002_database_rules")]

    operations = [updated_at_trigger("subscriptions")]
