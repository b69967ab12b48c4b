"""The periodic jobs around the limits' stores: expired rate-limit counters are deleted, and job
locks are per database."""

from io import StringIO

import psycopg
from django.core.management import call_command
from django.db import connection

from certquiz import ratelimit
from certquiz.advisory_lock import lock_key
from tests.reliability.test_periodic_jobs import conninfo


def test_expired_rate_limit_counters_are_deleted_by_a_periodic_job(db):
    counters = ratelimit.counters()
    counters.set("spent", 3, timeout=-1)  # already over
    counters.set("live", 2, timeout=60)
    out = StringIO()
    call_command("run_periodic_jobs", "--only", "delete_expired_rate_limits", stdout=out)
    assert "delete_expired_rate_limits: done: 1 expired rate-limit counter(s) deleted" in out.getvalue()
    assert counters.get("live") == 2


def test_a_job_running_against_another_database_of_the_server_does_not_skip_it_here(db, monkeypatch):
    """Advisory locks are server-wide: staging and production (or two test runs) on one server must
    not take each other's job locks."""
    with monkeypatch.context() as elsewhere:
        elsewhere.setitem(connection.settings_dict, "NAME", "certquiz_staging")
        staging_key = lock_key("clear_expired_sessions")
    staging = psycopg.connect(**conninfo(), autocommit=True)
    try:
        assert staging.execute("SELECT pg_try_advisory_lock(%s)", [staging_key]).fetchone()[0]
        out = StringIO()
        call_command("run_periodic_jobs", "--only", "clear_expired_sessions", stdout=out)
        assert "clear_expired_sessions: done" in out.getvalue()
    finally:
        staging.execute("SELECT pg_advisory_unlock(%s)", [staging_key])
        staging.close()
