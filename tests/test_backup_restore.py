import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

TABLES = [
    "users", "exams", "categories", "questions", "question_options", "question_exams", "question_categories",
    "quiz_sessions", "session_questions", "session_selected_options", "bookmarks", "problem_reports",
    "question_history", "user_progress", "badges", "user_badges", "subscriptions", "webhook_events",
]


def table_fingerprints(conninfo: dict) -> dict:
    with psycopg.connect(**conninfo) as conn:
        fingerprints = {}
        for table in TABLES:
            row = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            ).fetchone()
            fingerprints[table] = row
        return fingerprints


def conninfo(name):
    settings = connection.settings_dict
    info = {"dbname": name, "user": settings["USER"], "host": settings["HOST"] or None}
    if settings.get("PORT"):
        info["port"] = settings["PORT"]
    if settings.get("PASSWORD"):
        info["password"] = settings["PASSWORD"]
    return info


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_demo_data_exactly(tmp_path):
    call_command("load_demo_data", verbosity=0)
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restored"
    dump = tmp_path / "demo.dump"

    call_command("backup", output=str(dump))
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}"')
    try:
        call_command("restore", str(dump), database_name=copy, yes=True)
        original, restored = table_fingerprints(conninfo(source)), table_fingerprints(conninfo(copy))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

    assert original["questions"][0] >= 60
    assert restored == original


def test_restore_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such backup file"):
        call_command("restore", str(tmp_path / "nope.dump"), yes=True)
