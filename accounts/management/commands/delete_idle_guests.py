from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.guests import delete_idle_guests
from certquiz.advisory_lock import advisory_lock


class Command(BaseCommand):
    help = (
        "Delete guests idle for GUEST_RETENTION_DAYS (30) days with their quizzes, in batches. "
        "Idempotent; safe on several hosts at once: an advisory lock (shared with run_periodic_jobs) "
        "lets one of them do it and the others skip."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Idle days (default: GUEST_RETENTION_DAYS).")

    def handle(self, *args, days=None, **options):
        days = settings.GUEST_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError(f"Guests must be kept at least 1 day, not {days} (GUEST_RETENTION_DAYS or --days).")
        with advisory_lock("delete_idle_guests") as acquired:
            if not acquired:
                self.stdout.write("Skipped: delete_idle_guests is running on another host.")
                return
            deleted = delete_idle_guests(idle_since=timezone.now() - timedelta(days=days))
        self.stdout.write(f"{deleted} idle guest(s) deleted (idle for {days} days or more).")
