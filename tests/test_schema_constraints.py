"""The database itself refuses bad data and fills in the schema document's defaults.

Every statement here is raw SQL, so no model validation or Python default gets a say.
"""

import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from accounts.factories import UserFactory
from accounts.models import User
from billing.models import Subscription
from gamification.models import Badge
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import ProblemReport, QuestionOption, QuizSession

UNIQUE_VIOLATION = "23505"
CHECK_VIOLATION = "23514"


def run(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def refused(query, params=None):
    """Run a statement the database must refuse; return psycopg's diagnostics of the error.

    The savepoint rolls the failure back so the test transaction stays usable."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        run(query, params)
    return excinfo.value.__cause__.diag



@pytest.fixture
def rows(db):
    """One row in each table an enum column lives in, keyed by table: (key column, key)."""
    learner = UserFactory()
    question = QuestionFactory()
    report = ProblemReport.objects.create(question=question, reporter=learner, type="error", description="Typo")
    session = QuizSession.objects.create(user=learner, question_count=1)
    Subscription.objects.create(user=learner)
    return {
        "users": ("id", learner.pk),
        "questions": ("id", question.pk),
        "problem_reports": ("id", report.pk),
        "subscriptions": ("user_id", learner.pk),
        "quiz_sessions": ("id", session.pk),
    }


def test_exam_code_is_unique(db):
    run("INSERT INTO exams (code, name) VALUES ('CCNA', 'Cisco Certified Network Associate')")
    diag = refused("INSERT INTO exams (code, name) VALUES ('CCNA', 'Another CCNA')")
    assert diag.constraint_name == "idx_exams_code"


def test_category_code_is_unique(db):
    run("INSERT INTO categories (code, name) VALUES ('OSPF', 'OSPF')")
    diag = refused("INSERT INTO categories (code, name) VALUES ('OSPF', 'Open Shortest Path First')")
    assert diag.constraint_name == "idx_categories_code"


# The schema document's PostgreSQL enums (quiz_sessions.mode is this project's addition).
DOCUMENTED_ENUMS = [
    ("users", "role", ["guest", "user", "premium", "admin"]),
    ("questions", "type", ["single", "multiple"]),
    ("questions", "status", ["active", "pending", "archived"]),
    ("problem_reports", "type", ["error", "unclear", "outdated"]),
    ("problem_reports", "status", ["pending", "accepted", "rejected"]),
    ("subscriptions", "plan", ["free", "premium"]),
    ("subscriptions", "status", ["active", "cancelled", "expired"]),
    ("quiz_sessions", "mode", ["practice", "exam", "mistakes", "bookmarked"]),
]


@pytest.mark.parametrize("table, column, values", DOCUMENTED_ENUMS, ids=lambda v: v if isinstance(v, str) else None)
def test_enum_column_accepts_its_documented_values_and_nothing_else(rows, table, column, values):
    key, pk = rows[table]
    for value in values:
        run(f"UPDATE {table} SET {column} = %s WHERE {key} = %s", [value, pk])
    for bad in ["bogus", "", values[0].upper(), f" {values[0]}"]:
        diag = refused(f"UPDATE {table} SET {column} = %s WHERE {key} = %s", [bad, pk])
        assert (diag.sqlstate, diag.constraint_name) == (CHECK_VIOLATION, f"chk_{table}_{column}")


def test_raw_insert_of_a_question_with_an_unknown_type_is_refused(db):
    author = UserFactory()
    diag = refused(
        "INSERT INTO questions (question_text, type, explanation, created_by_id) VALUES ('Q?', 'essay', 'E', %s)",
        [author.pk],
    )
    assert diag.constraint_name == "chk_questions_type"


def test_raw_insert_of_a_report_with_an_unknown_status_is_refused(rows):
    _, question_id = rows["questions"]
    _, reporter_id = rows["users"]
    diag = refused(
        "INSERT INTO problem_reports (question_id, reporter_id, type, description, status)"
        " VALUES (%s, %s, 'error', 'Typo', 'ignored')",
        [question_id, reporter_id],
    )
    assert diag.constraint_name == "chk_problem_reports_status"


def test_category_stats_without_a_version_is_refused(db):
    learner = UserFactory()
    diag = refused("INSERT INTO user_progress (user_id, category_stats) VALUES (%s, '{\"OSPF\": {}}')", [learner.pk])
    assert diag.constraint_name == "chk_category_stats_version"

    run("INSERT INTO user_progress (user_id) VALUES (%s)", [learner.pk])
    diag = refused("UPDATE user_progress SET category_stats = '{}' WHERE user_id = %s", [learner.pk])
    assert diag.constraint_name == "chk_category_stats_version"
    diag = refused(
        "UPDATE user_progress SET category_stats = category_stats - 'version' WHERE user_id = %s", [learner.pk]
    )
    assert diag.constraint_name == "chk_category_stats_version"


def test_two_options_of_one_question_cannot_share_a_display_order(db):
    question = QuestionFactory(options__count=2)
    diag = refused(
        "INSERT INTO question_options (question_id, text, display_order) VALUES (%s, 'Duplicate', 1)", [question.pk]
    )
    assert diag.constraint_name == "unq_question_display_order"
    # The same display order on another question is fine.
    other = QuestionFactory(options__count=0)
    run("INSERT INTO question_options (question_id, text, display_order) VALUES (%s, 'First', 1)", [other.pk])


def test_a_learner_bookmarks_a_question_only_once(db):
    learner, question = UserFactory(), QuestionFactory()
    run("INSERT INTO bookmarks (user_id, question_id) VALUES (%s, %s)", [learner.pk, question.pk])
    diag = refused("INSERT INTO bookmarks (user_id, question_id) VALUES (%s, %s)", [learner.pk, question.pk])
    assert diag.constraint_name == "pk_bookmarks"


def test_a_webhook_event_id_is_stored_only_once(db):
    insert = "INSERT INTO webhook_events (event_type, external_event_id, payload) VALUES ('donation.created', %s, '{}')"
    run(insert, ["evt_1"])
    diag = refused(insert, ["evt_1"])
    assert (diag.sqlstate, diag.table_name) == (UNIQUE_VIOLATION, "webhook_events")


def test_webhook_events_without_an_external_id_are_not_deduplicated(db):
    insert = "INSERT INTO webhook_events (event_type, payload) VALUES ('ping', '{}')"
    run(insert)
    run(insert)
    assert run("SELECT count(*) FROM webhook_events WHERE external_event_id IS NULL") == [(2,)]


def test_a_badge_is_unlocked_only_once_per_learner(db):
    learner = UserFactory()
    badge = Badge.objects.create(
        name="First steps", description="Answer a question", icon="star", category="progress",
        requirement_type="questions_solved", requirement_value=1,
    )
    run("INSERT INTO user_badges (user_id, badge_id) VALUES (%s, %s)", [learner.pk, badge.pk])
    diag = refused("INSERT INTO user_badges (user_id, badge_id) VALUES (%s, %s)", [learner.pk, badge.pk])
    assert diag.constraint_name == "pk_user_badges"


def test_a_question_is_linked_to_an_exam_only_once(db):
    exam = ExamFactory()
    question = QuestionFactory(exams=[exam])
    diag = refused("INSERT INTO question_exams (question_id, exam_id) VALUES (%s, %s)", [question.pk, exam.pk])
    assert diag.constraint_name == "pk_question_exams"


def test_a_question_is_linked_to_a_category_only_once(db):
    category = CategoryFactory()
    question = QuestionFactory(categories=[category])
    diag = refused(
        "INSERT INTO question_categories (question_id, category_id) VALUES (%s, %s)", [question.pk, category.pk]
    )
    assert diag.constraint_name == "pk_question_categories"


def test_a_question_appears_only_once_in_a_quiz_session(db):
    question = QuestionFactory()
    session = QuizSession.objects.create(user=UserFactory(), question_count=2)
    run(
        "INSERT INTO session_questions (session_id, question_id, question_order) VALUES (%s, %s, 0)",
        [session.pk, question.pk],
    )
    diag = refused(
        "INSERT INTO session_questions (session_id, question_id, question_order) VALUES (%s, %s, 1)",
        [session.pk, question.pk],
    )
    assert diag.constraint_name == "pk_session_questions"


def test_a_buy_me_a_coffee_email_belongs_to_one_subscription(db):
    first, second = UserFactory(), UserFactory()
    insert = "INSERT INTO subscriptions (user_id, buy_me_a_coffee_email) VALUES (%s, 'fan@example.com')"
    run(insert, [first.pk])
    diag = refused(insert, [second.pk])
    assert diag.constraint_name == "unq_bmac_email"


# Raw inserts that name only the required columns get the schema document's defaults.

NOW = object()  # the column defaulted to the time of the insert


@pytest.fixture
def parents(db):
    """Rows the raw inserts below point at; the question has no option at display order 0."""
    question = QuestionFactory(options__count=0)
    option = QuestionOption.objects.create(question=question, text="Yes", display_order=5)
    user = UserFactory()
    return {
        "user": user.pk,
        "question": question.pk,
        "option": option.pk,
        "exam": ExamFactory().pk,
        "category": CategoryFactory().pk,
        "session": QuizSession.objects.create(user=user, question_count=1).pk,
        "badge": Badge.objects.create(
            name="Streak", description="Three days", icon="fire", category="streak",
            requirement_type="streak", requirement_value=3,
        ).pk,
    }


CATALOGUE_DEFAULTS = {
    "id": uuid.UUID, "description": None, "display_order": 0, "is_active": True, "created_at": NOW, "updated_at": NOW,
}

DEFAULTS = {
    "exams": (
        "INSERT INTO exams (code, name) VALUES ('CCNA', 'CCNA')",
        CATALOGUE_DEFAULTS,
    ),
    "categories": (
        "INSERT INTO categories (code, name) VALUES ('OSPF', 'OSPF')",
        CATALOGUE_DEFAULTS,
    ),
    "questions": (
        "INSERT INTO questions (question_text, type, explanation, created_by_id)"
        " VALUES ('Q?', 'single', 'E', %(user)s)",
        {
            "id": uuid.UUID, "tags": [], "images": [], "detailed_explanation": None, "created_by_name": None,
            "is_user_generated": False, "is_premium": False, "status": "active", "version": 1,
            "created_at": NOW, "updated_at": NOW,
        },
    ),
    "question_options": (
        "INSERT INTO question_options (question_id, text) VALUES (%(question)s, 'No')",
        {"id": uuid.UUID, "is_correct": False, "display_order": 0, "created_at": NOW},
    ),
    "question_exams": (
        "INSERT INTO question_exams (question_id, exam_id) VALUES (%(question)s, %(exam)s)",
        {"id": uuid.UUID, "created_at": NOW},
    ),
    "question_categories": (
        "INSERT INTO question_categories (question_id, category_id) VALUES (%(question)s, %(category)s)",
        {"id": uuid.UUID, "created_at": NOW},
    ),
    "user_progress": (
        "INSERT INTO user_progress (user_id) VALUES (%(user)s)",
        {
            "level": 1, "experience": 0, "total_questions": 0, "correct_answers": 0, "accuracy": Decimal("0.00"),
            "study_time": 0, "streak": 0, "last_study_date": None, "category_stats": {"version": 1},
            "updated_at": NOW,
        },
    ),
    "badges": (
        "INSERT INTO badges (name, description, icon, category, requirement_type, requirement_value)"
        " VALUES ('Sharp', '90%% right', 'target', 'accuracy', 'accuracy', 90)",
        {"id": uuid.UUID, "requirement_category": None, "created_at": NOW},
    ),
    "user_badges": (
        "INSERT INTO user_badges (user_id, badge_id) VALUES (%(user)s, %(badge)s)",
        {"id": int, "unlocked_at": NOW},
    ),
    "quiz_sessions": (
        "INSERT INTO quiz_sessions (user_id, question_count) VALUES (%(user)s, 10)",
        {
            "id": uuid.UUID, "exam_id": None, "category_id": None, "current_index": 0, "score": None,
            "is_paused": False, "started_at": NOW, "completed_at": None, "mode": "practice",
            "time_limit_minutes": None, "tags": [], "last_activity_at": NOW,
        },
    ),
    "session_questions": (
        "INSERT INTO session_questions (session_id, question_id, question_order) VALUES (%(session)s, %(question)s, 0)",
        {"id": int, "answered_at": None, "is_correct": None, "option_order": [], "is_flagged": False},
    ),
    "session_selected_options": (
        "INSERT INTO session_selected_options (session_id, question_id, option_id)"
        " VALUES (%(session)s, %(question)s, %(option)s)",
        {"id": int, "selected_at": NOW},
    ),
    "bookmarks": (
        "INSERT INTO bookmarks (user_id, question_id) VALUES (%(user)s, %(question)s)",
        {"id": int, "created_at": NOW},
    ),
    "problem_reports": (
        "INSERT INTO problem_reports (question_id, reporter_id, type, description)"
        " VALUES (%(question)s, %(user)s, 'unclear', 'Which one?')",
        {"id": uuid.UUID, "status": "pending", "admin_comment": None, "reviewed_by_id": None, "created_at": NOW,
         "resolved_at": None},
    ),
    "question_history": (
        "INSERT INTO question_history (question_id, version, changes, edited_by_id)"
        " VALUES (%(question)s, 1, '{}', %(user)s)",
        {"id": uuid.UUID, "edited_at": NOW},
    ),
    "subscriptions": (
        "INSERT INTO subscriptions (user_id) VALUES (%(user)s)",
        {
            "plan": "free", "status": "active", "buy_me_a_coffee_email": None, "start_date": NOW, "end_date": None,
            "auto_renew": True, "created_at": NOW, "updated_at": NOW,
        },
    ),
    "webhook_events": (
        "INSERT INTO webhook_events (event_type, payload) VALUES ('ping', '{}')",
        {"id": uuid.UUID, "external_event_id": None, "processed_at": None, "created_at": NOW},
    ),
}


@pytest.mark.parametrize("table", DEFAULTS)
def test_raw_insert_of_only_required_columns_gets_the_documented_defaults(parents, table):
    insert, expected = DEFAULTS[table]
    with connection.cursor() as cursor:
        cursor.execute(f"{insert} RETURNING *", parents)
        row = dict(zip([column.name for column in cursor.description], cursor.fetchone()))
    # Django's Now() is STATEMENT_TIMESTAMP(): after the transaction's start, before this clock reading.
    (started, clock) = run("SELECT transaction_timestamp(), clock_timestamp()")[0]
    for column, value in expected.items():
        if value is NOW:
            assert started <= row[column] <= clock, column
        elif isinstance(value, type):
            assert isinstance(row[column], value), column
        elif isinstance(value, dict):  # Django reads jsonb as text and decodes it in the field
            assert json.loads(row[column]) == value, column
        else:
            assert row[column] == value, column


def test_raw_insert_of_a_user_gets_the_documented_defaults(db):
    # password and is_superuser are Django's columns, not the document's: see the next test.
    (role, is_active, time_zone, user_id), *_ = run(
        "INSERT INTO users (email, username, password, is_superuser) VALUES ('ann@example.com', 'ann', '!', false)"
        " RETURNING role, is_active, time_zone, id"
    )
    assert (role, is_active, time_zone) == ("user", True, "UTC")
    assert isinstance(user_id, uuid.UUID)


def test_raw_insert_of_a_user_with_the_documents_columns_succeeds(db):
    run("INSERT INTO users (email, username, role) VALUES ('admin@certquiz.app', 'admin', 'admin')")
    user = User.objects.get(username="admin")
    assert not user.has_usable_password() and not user.is_superuser


# Indexes: every one the schema document names exists under that name, on its table.

DOCUMENTED_INDEXES = {
    "idx_exams_code": "exams",
    "idx_exams_active": "exams",
    "idx_categories_code": "categories",
    "idx_categories_active": "categories",
    "idx_users_email": "users",
    "idx_users_keycloak": "users",
    "idx_questions_status": "questions",
    "idx_questions_created_by": "questions",
    "idx_questions_tags_gin": "questions",
    "idx_active_questions": "questions",
    "idx_options_question": "question_options",
    "unq_question_display_order": "question_options",
    "pk_question_exams": "question_exams",
    "idx_question_exams_question": "question_exams",
    "idx_question_exams_exam": "question_exams",
    "pk_question_categories": "question_categories",
    "idx_question_categories_question": "question_categories",
    "idx_question_categories_category": "question_categories",
    "idx_badges_category": "badges",
    "pk_user_badges": "user_badges",
    "idx_user_badges_user": "user_badges",
    "idx_user_badges_badge": "user_badges",
    "idx_sessions_user": "quiz_sessions",
    "idx_sessions_completed": "quiz_sessions",
    "idx_sessions_exam": "quiz_sessions",
    "idx_sessions_category": "quiz_sessions",
    "idx_sessions_user_started": "quiz_sessions",
    "pk_session_questions": "session_questions",
    "idx_session_questions_session": "session_questions",
    "idx_session_questions_question": "session_questions",
    "pk_session_selected_options": "session_selected_options",
    "idx_session_selected_session_question": "session_selected_options",
    "idx_session_selected_option": "session_selected_options",
    "idx_reports_question": "problem_reports",
    "idx_reports_reporter": "problem_reports",
    "idx_reports_status": "problem_reports",
    "idx_subscriptions_bmac_email": "subscriptions",
    "idx_subscriptions_status": "subscriptions",
    "unq_bmac_email": "subscriptions",
    "pk_bookmarks": "bookmarks",
    "idx_bookmarks_user": "bookmarks",
    "idx_history_question_version": "question_history",
    "idx_webhook_events_type": "webhook_events",
    "idx_webhook_events_processed": "webhook_events",
}

DOCUMENTED_UNIQUE_INDEXES = {
    "idx_exams_code", "idx_categories_code", "unq_question_display_order", "pk_question_exams",
    "pk_question_categories", "pk_user_badges", "pk_session_questions", "pk_session_selected_options",
    "unq_bmac_email", "pk_bookmarks", "idx_history_question_version",
}


def indexes():
    return {name: (table, definition) for name, table, definition in run(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    )}


def test_every_documented_index_exists_under_its_documented_name(db):
    found = indexes()
    assert {name: found.get(name, (None,))[0] for name in DOCUMENTED_INDEXES} == DOCUMENTED_INDEXES


def test_documented_unique_indexes_are_unique(db):
    found = indexes()
    not_unique = {name for name in DOCUMENTED_UNIQUE_INDEXES if "CREATE UNIQUE INDEX" not in found[name][1]}
    assert not_unique == set()


def test_question_tags_have_a_gin_index(db):
    assert "USING gin (tags)" in indexes()["idx_questions_tags_gin"][1]


def test_active_questions_index_is_partial(db):
    assert "WHERE (status = 'active'::text)" in indexes()["idx_active_questions"][1]


def test_multi_column_indexes_cover_the_documented_columns(db):
    found = indexes()
    assert found["idx_sessions_user_started"][1].endswith("(user_id, started_at)")
    assert found["idx_session_selected_session_question"][1].endswith("(session_id, question_id)")
    assert found["idx_history_question_version"][1].endswith("(question_id, version)")


# Migrations

def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def trigger_names():
    return {name for (name,) in run("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'update%'")}


def on_delete_rule(table, column):
    return run(
        "SELECT c.confdeltype FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND a.attname = %s",
        [table, column],
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_database_rules_migrations_reverse_and_reapply_cleanly():
    """Unapplying accounts 0002 unapplies every app's 0002 (they all depend on it): the SQL the
    schema document asks for must come off and go back on. transaction=True: migrate commits DDL."""
    documented_triggers = {
        f"update_{table}_updated_at"
        for table in ["users", "exams", "categories", "questions", "user_progress", "subscriptions"]
    }
    long_indexes = {
        "idx_question_categories_question", "idx_question_categories_category", "idx_session_selected_session_question",
    }
    try:
        call_command("migrate", "accounts", "0001", verbosity=0)
        assert trigger_names() & documented_triggers == set()
        assert run("SELECT count(*) FROM pg_proc WHERE proname = 'update_updated_at_column'") == [(0,)]
        assert set(indexes()) & long_indexes == set()
        assert on_delete_rule("question_options", "question_id") == [("a",)]
        assert on_delete_rule("quiz_sessions", "exam_id") == [("a",)]
    finally:
        call_command("migrate", verbosity=0)
    assert trigger_names() >= documented_triggers
    assert set(indexes()) >= long_indexes
    assert on_delete_rule("question_options", "question_id") == [("c",)]
    assert on_delete_rule("quiz_sessions", "exam_id") == [("n",)]
