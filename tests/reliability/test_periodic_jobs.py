"""The periodic jobs (`run_periodic_jobs`) are safe on several hosts at once: each job runs under a
PostgreSQL advisory lock, so a host that finds a job running elsewhere skips it."""

import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.factories import UserFactory
from billing import services
from billing.factories import PremiumSubscriptionFactory
from billing.models import Subscription, WebhookEvent
from certquiz.advisory_lock import lock_key
from certquiz.management.commands import run_periodic_jobs
from tests.helpers.billing import confirmed, donation
from tests.reliability.harness import ROOT

DAYS_PER_COFFEE = 5


def run_jobs(*args) -> str:
    out = StringIO()
    call_command("run_periodic_jobs", *args, stdout=out)
    return out.getvalue()


def lapsed_subscriptions(count: int) -> list[Subscription]:
    """Premium paid until ten days ago, not renewing: over even with the grace days."""
    return PremiumSubscriptionFactory.create_batch(
        count, end_date=timezone.now() - timedelta(days=10), membership_until=None, auto_renew=False
    )


def stuck_donations(email: str, count: int) -> list[WebhookEvent]:
    """Stored ten minutes ago and never processed: the process that stored them died."""
    events = [services.store_event(envelope=donation(email, donation_id=900 + n))[0] for n in range(count)]
    WebhookEvent.objects.filter(pk__in=[event.pk for event in events]).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    return events


def conninfo() -> dict:
    settings = connection.settings_dict
    info = {"dbname": settings["NAME"], "user": settings["USER"], "host": settings["HOST"] or None}
    if settings.get("PORT"):
        info["port"] = settings["PORT"]
    if settings.get("PASSWORD"):
        info["password"] = settings["PASSWORD"]
    return info


@pytest.fixture
def lock_held_elsewhere():
    """hold(name): another host's session takes the job's advisory lock until the test ends."""
    held = []

    def hold(name):
        other = psycopg.connect(**conninfo(), autocommit=True)
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(name)]).fetchone()[0]
        held.append(other)

    yield hold
    for other in held:
        # Released explicitly: closing the connection frees it only once the server's backend has
        # exited, which the next test can beat.
        other.execute("SELECT pg_advisory_unlock_all()")
        other.close()


@pytest.fixture
def bmac(settings):
    settings.BMAC_PREMIUM_DAYS_PER_COFFEE = DAYS_PER_COFFEE
    settings.BMAC_ACCEPT_TEST_EVENTS = False


def test_the_jobs_expire_lapsed_subscriptions_and_process_stuck_webhook_events(db, bmac):
    lapsed_subscriptions(2)
    payer = confirmed(UserFactory(email="payer@example.com"))
    stuck_donations(payer.email, 2)

    output = run_jobs()

    assert "expire_subscriptions: done: 2 subscription(s) expired" in output
    assert "retry_webhook_events: done: 2 webhook event(s) tried, 2 now processed or ignored" in output
    assert "clear_expired_sessions: done" in output
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert Subscription.objects.get(user=payer).end_date > timezone.now() + timedelta(days=2 * DAYS_PER_COFFEE - 1)
    # A second run finds nothing left to do.
    again = run_jobs()
    assert "0 subscription(s) expired" in again and "0 webhook event(s) tried" in again


def test_a_webhook_event_received_a_moment_ago_is_left_to_the_request_processing_it(db, bmac):
    payer = confirmed(UserFactory(email="payer@example.com"))
    services.store_event(envelope=donation(payer.email))

    assert "0 webhook event(s) tried" in run_jobs("--only", "retry_webhook_events")
    assert WebhookEvent.objects.get().status == "received"


def test_a_job_running_on_another_host_is_skipped_here(db, lock_held_elsewhere):
    lapsed_subscriptions(1)
    lock_held_elsewhere("expire_subscriptions")

    output = run_jobs()

    assert "expire_subscriptions: skipped: running on another host" in output
    assert "retry_webhook_events: done" in output  # the other jobs still run
    assert not Subscription.objects.filter(status="expired").exists()


def test_expire_subscriptions_shares_the_lock_with_run_periodic_jobs(db, lock_held_elsewhere):
    lapsed_subscriptions(1)
    lock_held_elsewhere("expire_subscriptions")
    out = StringIO()

    call_command("expire_subscriptions", stdout=out)

    assert "Skipped" in out.getvalue()
    assert not Subscription.objects.filter(status="expired").exists()


def test_a_failing_job_is_reported_and_the_others_still_run(db, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(run_periodic_jobs.JOBS, "expire_subscriptions", broken)
    out = StringIO()

    with pytest.raises(CommandError, match="expire_subscriptions"):
        call_command("run_periodic_jobs", stdout=out)

    assert "expire_subscriptions: failed: RuntimeError: boom" in out.getvalue()
    assert "retry_webhook_events: done" in out.getvalue()


# --- Two hosts at once, for real: two processes against one database ---------------------------


def job_process(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_periodic_jobs"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_for(predicate, what: str, timeout: float = 25.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_hosts_running_the_jobs_at_the_same_time_do_each_job_once():
    lapsed = lapsed_subscriptions(3)
    payer = confirmed(UserFactory(email="payer@example.com"))
    stuck_donations(payer.email, 2)
    info = conninfo()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.pop("TEST_DATABASE_NAME", None)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"postgres://{info['user']}@{quote(info['host'], safe='')}/{info['dbname']}",
        BMAC_PREMIUM_DAYS_PER_COFFEE=str(DAYS_PER_COFFEE),
        LOG_LEVEL="WARNING",
    )

    # Host A takes the expiry job's lock, then waits on one subscription row this test holds, so
    # that host B starts while A is in the middle of the job.
    with psycopg.connect(**info) as blocker:
        blocker.execute("SELECT 1 FROM subscriptions WHERE user_id = %s FOR UPDATE", [lapsed[-1].user_id])
        with psycopg.connect(**info, autocommit=True) as watcher:

            def count(query):
                return watcher.execute(query, [info["dbname"]]).fetchone()[0]

            first = job_process(env)
            wait_for(
                lambda: count("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'")
                and count(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                    " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s"
                ),
                "host A to hold the lock and wait on the row",
            )
            second = job_process(env)
            second_output, _ = second.communicate(timeout=30)
        blocker.rollback()  # host A goes on
    first_output, _ = first.communicate(timeout=30)

    assert first.returncode == 0 and second.returncode == 0, (first_output, second_output)
    assert "expire_subscriptions: skipped: running on another host" in second_output
    assert "expire_subscriptions: done: 3 subscription(s) expired" in first_output
    # B did the webhook job while A was busy; A then found nothing left to process.
    assert "retry_webhook_events: done: 2 webhook event(s) tried, 2 now processed" in second_output
    assert "retry_webhook_events: done: 0 webhook event(s) tried" in first_output

    assert Subscription.objects.filter(status="expired").count() == 3
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    # Two coffees counted once each: ten days, not twenty.
    end_date = Subscription.objects.get(user=payer).end_date
    assert timedelta(days=9) < end_date - timezone.now() <= timedelta(days=2 * DAYS_PER_COFFEE)


def test_an_event_that_breaks_every_time_is_given_up_on_and_the_others_are_processed(db, bmac):
    """An event stored before the webhook's length limits, with an email too long for the pending
    events' index: each attempt fails when it is saved. The job records the failed attempt, goes
    on with the events after it, and after MAX_PROCESSING_ATTEMPTS leaves it failed for the admin."""
    from billing.models import MAX_PROCESSING_ATTEMPTS

    broken = services.store_event(envelope=donation(f"{secrets.token_hex(2000)}@example.com", donation_id=1))[0]
    payer = confirmed(UserFactory(email="payer@example.com"))
    good = services.store_event(envelope=donation(payer.email, donation_id=2))[0]
    WebhookEvent.objects.update(created_at=timezone.now() - timedelta(minutes=10))

    first = run_jobs("--only", "retry_webhook_events")

    assert "2 webhook event(s) tried, 1 now processed or ignored" in first
    good.refresh_from_db()
    broken.refresh_from_db()
    assert good.status == "processed" and good.attempts == 1
    assert (broken.status, broken.attempts) == ("failed", 1) and "OperationalError" in broken.error
    for _ in range(MAX_PROCESSING_ATTEMPTS - 1):
        assert "1 webhook event(s) tried, 0 now processed" in run_jobs("--only", "retry_webhook_events")
    broken.refresh_from_db()
    assert broken.status == "failed" and broken.attempts == MAX_PROCESSING_ATTEMPTS
    assert broken.error.startswith(f"Gave up after {MAX_PROCESSING_ATTEMPTS} attempts")
    assert "0 webhook event(s) tried" in run_jobs("--only", "retry_webhook_events")
