"""The schema document's update_updated_at_column trigger bumps updated_at on raw SQL updates.

Inside one transaction CURRENT_TIMESTAMP does not move, so each test first backdates the row with
its trigger disabled (otherwise the trigger would overwrite the backdated value), then updates it.
"""

import pytest
from django.db import connection

from accounts.factories import UserFactory
from billing.models import Subscription
from gamification.models import UserProgress
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory


def run(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []



def backdate(table, key, pk):
    trigger = f"update_{table}_updated_at"
    # ALTER TABLE refuses while deferred foreign-key checks are pending, and PostgreSQL queues one
    # for any update of a row inserted in this transaction: check them at once while backdating.
    run("SET CONSTRAINTS ALL IMMEDIATE")
    run(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    run(f"UPDATE {table} SET updated_at = now() - interval '1 day' WHERE {key} = %s", [pk])
    run(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    run("SET CONSTRAINTS ALL DEFERRED")
    return run(f"SELECT updated_at FROM {table} WHERE {key} = %s", [pk])[0][0]


ROWS = {
    "users": (lambda: UserFactory().pk, "id", "username = 'renamed'"),
    "exams": (lambda: ExamFactory().pk, "id", "name = 'Renamed exam'"),
    "categories": (lambda: CategoryFactory().pk, "id", "name = 'Renamed category'"),
    "questions": (lambda: QuestionFactory().pk, "id", "question_text = 'Reworded?'"),
    "user_progress": (lambda: UserProgress.objects.create(user=UserFactory()).pk, "user_id", "streak = 3"),
    "subscriptions": (lambda: Subscription.objects.create(user=UserFactory()).pk, "user_id", "auto_renew = false"),
}


@pytest.mark.parametrize("table", ROWS)
def test_raw_update_bumps_updated_at(db, table):
    make_row, key, assignment = ROWS[table]
    pk = make_row()
    before = backdate(table, key, pk)

    run(f"UPDATE {table} SET {assignment} WHERE {key} = %s", [pk])

    after, now = run(f"SELECT updated_at, CURRENT_TIMESTAMP FROM {table} WHERE {key} = %s", [pk])[0]
    assert before < after == now


def test_trigger_overrides_an_updated_at_set_by_the_update_itself(db):
    exam = ExamFactory()
    run("UPDATE exams SET name = 'Renamed', updated_at = '2001-01-01T00:00:00Z' WHERE id = %s", [exam.pk])
    assert run("SELECT updated_at = CURRENT_TIMESTAMP FROM exams WHERE id = %s", [exam.pk]) == [(True,)]


def test_every_table_with_updated_at_has_the_trigger(db):
    tables_with_column = {
        table for (table,) in run(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'updated_at'"
        )
    }
    triggered = {
        table for (table,) in run(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE NOT t.tgisinternal AND p.proname = 'update_updated_at_column'"
        )
    }
    assert tables_with_column == triggered == set(ROWS)
