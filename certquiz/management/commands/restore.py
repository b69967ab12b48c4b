from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from certquiz import pgtools


class Command(BaseCommand):
    help = "Restore a `manage.py backup` file, replacing what the target database holds."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by `manage.py backup`")
        parser.add_argument("--database-name", help="Restore into this database on the same server instead")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args, path, database_name=None, yes=False, **options):
        dump = Path(path)
        if not dump.is_file():
            raise CommandError(f"No such backup file: {dump}")
        target = database_name or settings.DATABASES["default"]["NAME"]
        if not yes and input(f"This replaces every table in database {target!r}. Type 'yes' to go on: ") != "yes":
            raise CommandError("Restore cancelled.")
        connections.close_all()
        try:
            pgtools.run(
                "pg_restore",
                settings.DATABASES["default"],
                ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", str(dump)],
                name=target,
            )
        except Exception as error:
            raise CommandError(f"Restore failed, nothing changed: {getattr(error, 'stderr', '') or error}") from error
        self.stdout.write(self.style.SUCCESS(f"Restored {dump} into {target}"))
