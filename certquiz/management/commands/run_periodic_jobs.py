"""Every periodic job of CertQuiz in one command, for cron or a systemd timer on every app host:

    manage.py run_periodic_jobs                  # all jobs
    manage.py run_periodic_jobs --only expire_subscriptions

Each job runs under its own PostgreSQL advisory lock (certquiz.advisory_lock): when several hosts
start it at once, one does each job and the others skip it. Every job is idempotent, so running it
more often than needed does no harm. A job that fails is logged with its traceback; the others
still run and the command exits non-zero.

Streaks need no job: a broken streak is read as broken (gamification.rules.current_streak)."""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certquiz.advisory_lock import advisory_lock

logger = logging.getLogger("certquiz.jobs")

# A webhook event still `received` this long after it arrived lost its first processing (the
# process died); younger ones may be being processed right now by the request that stored them.
STUCK_AFTER = timedelta(minutes=5)
# Pending (no learner with that verified email yet) and failed events are tried again for this long.
RETRY_FOR = timedelta(days=30)


def expire_subscriptions() -> str:
    from billing.services import expire_subscriptions as expire

    report = expire()
    return f"{report.expired} subscription(s) expired, {report.roles_changed} role(s) changed"


def retry_webhook_events() -> str:
    """Buy Me a Coffee events that were never processed, wait for a learner, or failed (each in its
    own transaction, given up after billing.models.MAX_PROCESSING_ATTEMPTS)."""
    from billing.models import WebhookEvent
    from billing.services import reprocess_events

    events = WebhookEvent.objects.due_for_retry(now=timezone.now(), stuck_after=STUCK_AFTER, retry_for=RETRY_FOR)
    results = reprocess_events(events)
    done = sum(1 for event in results if event.is_final)
    return f"{len(results)} webhook event(s) tried, {done} now processed or ignored"


def clear_expired_sessions() -> str:
    call_command("clearsessions")
    return "expired sessions deleted"


def delete_idle_guests() -> str:
    from django.conf import settings

    from accounts.guests import delete_idle_guests as delete

    days = settings.GUEST_RETENTION_DAYS
    deleted = delete(idle_since=timezone.now() - timedelta(days=days))
    return f"{deleted} guest(s) idle for {days} days deleted with their quizzes"


def delete_expired_rate_limits() -> str:
    """Rate-limit counters whose window is over, from the database cache (Redis expires its own)."""
    from django.conf import settings
    from django.core.cache import caches

    counters = caches[settings.RATE_LIMIT_CACHE]
    if not hasattr(counters, "delete_expired"):
        return "nothing to do (the counters expire in Redis)"
    return f"{counters.delete_expired()} expired rate-limit counter(s) deleted"


def compute_item_stats() -> str:
    """The question bank's item statistics (quizzes.item_analysis), for the moderators' admin."""
    from quizzes.item_analysis import compute_item_stats as compute

    return f"{compute()} question(s) analysed"


JOBS: dict[str, Callable[[], str]] = {
    "expire_subscriptions": expire_subscriptions,
    "retry_webhook_events": retry_webhook_events,
    "clear_expired_sessions": clear_expired_sessions,
    "delete_idle_guests": delete_idle_guests,
    "delete_expired_rate_limits": delete_expired_rate_limits,
    "compute_item_stats": compute_item_stats,
}


def run_job(name: str) -> tuple[str, str]:
    """("done" | "skipped" | "failed", message). The lock name is the job name, shared with the
    job's own command (expire_subscriptions, delete_idle_guests), so the two never run it at once either."""
    with advisory_lock(name) as acquired:
        if not acquired:
            return "skipped", "running on another host"
        try:
            return "done", JOBS[name]()
        except Exception as error:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("Periodic job %s failed", name)
            return "failed", f"{type(error).__name__}: {error}"


class Command(BaseCommand):
    help = ("Run the periodic jobs (expire subscriptions, retry webhook events, clear sessions, delete idle "
            "guests and expired rate-limit counters), each once across hosts.")

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", choices=sorted(JOBS), help="Run only this job (repeatable).")

    def handle(self, *args, only=None, **options):
        failed = []
        for name in only or JOBS:
            outcome, message = run_job(name)
            self.stdout.write(f"{name}: {outcome}: {message}")
            logger.info("Periodic job %s %s: %s", name, outcome, message, extra={"fields": {"job": name, "outcome": outcome}})
            if outcome == "failed":
                failed.append(name)
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)} (tracebacks in the log).")
