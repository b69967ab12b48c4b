"""SQL the schema document asks for that Django's schema editor does not write on its own:
updated_at triggers, ON DELETE rules enforced by the database, and indexes whose names are over
Django's 30-character limit. Each helper returns a reversible RunSQL operation."""

from django.db import migrations

UPDATED_AT_FUNCTION = """
CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS TRIGGER AS $$
BEGIN
  NEW.updated_at = CURRENT_TIMESTAMP;
  RETURN NEW;
END;
$$ language 'plpgsql';
"""


def updated_at_function() -> migrations.RunSQL:
    return migrations.RunSQL(UPDATED_AT_FUNCTION, "DROP FUNCTION IF EXISTS update_updated_at_column();")


def updated_at_trigger(table: str) -> migrations.RunSQL:
    name = f"update_{table}_updated_at"
    return migrations.RunSQL(
        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();",
        f"DROP TRIGGER IF EXISTS {name} ON {table};",
    )


def _replace_foreign_key(table: str, column: str, target: str, on_delete: str) -> str:
    clause = f" ON DELETE {on_delete}" if on_delete else ""
    return f"""
DO $$
DECLARE constraint_name text;
BEGIN
  FOR constraint_name IN
    SELECT c.conname FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f' AND a.attname = '{column}'
  LOOP
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', constraint_name);
  END LOOP;
END $$;
ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column})
  REFERENCES {target}{clause} DEFERRABLE INITIALLY DEFERRED;
"""


def database_on_delete(table: str, column: str, target: str, action: str) -> migrations.RunSQL:
    """Make the database itself CASCADE or SET NULL (target like "questions(id)"), so raw SQL
    deletes behave as the schema document says."""
    return migrations.RunSQL(
        _replace_foreign_key(table, column, target, action), _replace_foreign_key(table, column, target, "")
    )


def long_index(name: str, table: str, columns: str) -> migrations.RunSQL:
    return migrations.RunSQL(f"CREATE INDEX {name} ON {table} ({columns});", f"DROP INDEX IF EXISTS {name};")
