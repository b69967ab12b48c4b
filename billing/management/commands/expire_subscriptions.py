from django.core.management.base import BaseCommand

from billing.services import expire_subscriptions
from certquiz.advisory_lock import advisory_lock


class Command(BaseCommand):
    help = (
        "Mark subscriptions whose premium time is over as expired and bring learners' roles in line. "
        "Idempotent: run it as often as you like (e.g. hourly from cron). Safe on several hosts at once: "
        "an advisory lock (shared with run_periodic_jobs) lets one of them do it and the others skip."
    )

    def handle(self, *args, **options):
        with advisory_lock("expire_subscriptions") as acquired:
            if not acquired:
                self.stdout.write("Skipped: expire_subscriptions is running on another host.")
                return
            report = expire_subscriptions()
        self.stdout.write(f"{report.expired} subscription(s) expired, {report.roles_changed} role(s) changed.")
