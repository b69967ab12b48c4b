"""The table of the rate-limit counters when there is no Redis (settings.CACHES["ratelimit"], Django's
database cache): the same table `manage.py createcachetable` would create, made by `migrate` so that
every deployment and every test database has it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_username_characters"),
    ]

    operations = [
        migrations.RunSQL(
            """
            CREATE TABLE IF NOT EXISTS rate_limit_cache (
                cache_key varchar(255) NOT NULL PRIMARY KEY,
                value text NOT NULL,
                expires timestamp with time zone NOT NULL
            );
            CREATE INDEX IF NOT EXISTS rate_limit_cache_expires ON rate_limit_cache (expires);
            """,
            "DROP TABLE IF EXISTS rate_limit_cache;",
        ),
    ]
