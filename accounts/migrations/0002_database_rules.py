from django.db import migrations

from certquiz.migration_sql import updated_at_function, updated_at_trigger


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [updated_at_function(), updated_at_trigger("users")]
