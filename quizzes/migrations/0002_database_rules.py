from django.db import migrations

from certquiz.migration_sql import database_on_delete, long_index, updated_at_trigger


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0001_initial"), ("accounts", "0002_database_rules")]

    operations = [
        updated_at_trigger("exams"),
        updated_at_trigger("categories"),
        updated_at_trigger("questions"),
        database_on_delete("question_options", "question_id", "questions(id)", "CASCADE"),
        database_on_delete("question_exams", "question_id", "questions(id)", "CASCADE"),
        database_on_delete("question_exams", "exam_id", "exams(id)", "CASCADE"),
        database_on_delete("question_categories", "question_id", "questions(id)", "CASCADE"),
        database_on_delete("question_categories", "category_id", "categories(id)", "CASCADE"),
        database_on_delete("quiz_sessions", "user_id", "users(id)", "CASCADE"),
        database_on_delete("quiz_sessions", "exam_id", "exams(id)", "SET NULL"),
        database_on_delete("quiz_sessions", "category_id", "categories(id)", "SET NULL"),
        database_on_delete("session_questions", "session_id", "quiz_sessions(id)", "CASCADE"),
        database_on_delete("session_selected_options", "session_id", "quiz_sessions(id)", "CASCADE"),
        database_on_delete("bookmarks", "user_id", "users(id)", "CASCADE"),
        database_on_delete("bookmarks", "question_id", "questions(id)", "CASCADE"),
        database_on_delete("problem_reports", "reviewed_by_id", "users(id)", "SET NULL"),
        long_index("idx_question_categories_question", "question_categories", "question_id"),
        long_index("idx_question_categories_category", "question_categories", "category_id"),
        long_index("idx_session_selected_session_question", "session_selected_options", "session_id, question_id"),
    ]
