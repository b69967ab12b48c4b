"""Does the database DATABASE_URL points at have every table and column the models have? A bench
database kept from an earlier run misses them when a migration it already applied was edited
since (migrate sees nothing to do): bench/run then builds the database again.

    DATABASE_URL=... python bench/schema.py     exit 0 when it matches, 1 (and the list) when not
"""

import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certquiz.settings")
warnings.simplefilter("ignore")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402


def missing() -> list[str]:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        problems = []
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            table = model._meta.db_table
            if table not in tables:
                problems.append(f"table {table}")
                continue
            columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            problems += [f"column {table}.{field.column}" for field in model._meta.local_concrete_fields
                         if field.column not in columns]
    return problems


if __name__ == "__main__":
    problems = missing()
    if problems:
        print("missing: " + ", ".join(problems))
        sys.exit(1)
