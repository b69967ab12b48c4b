from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certquiz import pgtools


class Command(BaseCommand):
    help = "Dump the database with pg_dump (custom format) to a file; restore it with `manage.py restore`."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: backups/certquiz-<UTC time>.dump)")

    def handle(self, *args, output=None, **options):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = Path(output or settings.BASE_DIR / "backups" / f"certquiz-{stamp}.dump")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            pgtools.run("pg_dump", settings.DATABASES["default"], ["--format=custom", "--no-owner", "--file", str(path)])
        except Exception as error:  # CalledProcessError carries pg_dump's own message
            raise CommandError(f"Backup failed: {getattr(error, 'stderr', '') or error}") from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} ({path.stat().st_size:,} bytes)"))
