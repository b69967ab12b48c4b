from django.core.management.base import BaseCommand

from billing.services import expire_subscriptions


class Command(BaseCommand):
    help = (
        "Mark subscriptions whose premium time is over as expired and bring learners' roles in line. "
        "Idempotent: run it as often as you like (e.g. hourly from cron)."
    )

    def handle(self, *args, **options):
        report = expire_subscriptions()
        self.stdout.write(f"{report.expired} subscription(s) expired, {report.roles_changed} role(s) changed.")
