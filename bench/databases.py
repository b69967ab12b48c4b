"""The benchmark databases: where their server is, creating and dropping them, and the marker that
says which generated data set a database holds. Used by bench/run; no Django needed except to find
the embedded server.

    python bench/databases.py url NAME        the DATABASE_URL of NAME on the bench server
    python bench/databases.py create NAME     create NAME unless it exists
    python bench/databases.py drop NAME       drop NAME if it exists
    python bench/databases.py vacuum NAME     VACUUM (ANALYZE) NAME, as autovacuum would in time
    python bench/databases.py marker NAME     print the data set marker of NAME (empty: none)
    python bench/databases.py mark NAME TEXT [SECONDS]
                                              store TEXT as NAME's marker (and how long generating took)
"""

import functools
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
MARKER_TABLE = "bench_dataset"


@functools.cache
def server_params() -> dict:
    """Connection parameters of the server: DATABASE_URL's, or the embedded one settings start."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return conninfo_to_dict(url)
    sys.path.insert(0, str(ROOT))
    from certquiz.embedded_postgres import database_settings  # starts the server when it is not running

    data_dir = Path(os.environ.get("EMBEDDED_PGDATA") or ROOT / ".pgdata")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        settings = database_settings(data_dir)
    return {"host": settings["HOST"], "user": settings["USER"], "dbname": settings["NAME"]}


def url_for(name: str) -> str:
    params = server_params()
    user = quote(params.get("user") or "", safe="")
    password = params.get("password")
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = quote(params.get("host") or "", safe="")
    port = f":{params['port']}" if params.get("port") else ""
    extra = {k: v for k, v in params.items() if k not in {"user", "password", "host", "port", "dbname"}}
    query = "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in extra.items()) if extra else ""
    return f"postgres://{auth}{host}{port}/{quote(name, safe='')}{query}"


def connect(dbname: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(make_conninfo(**{**server_params(), "dbname": dbname}), **kwargs)


def exists(name: str) -> bool:
    with connect("postgres") as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create(name: str) -> None:
    if not exists(name):
        with connect("postgres", autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created database {name}.")


def drop(name: str) -> None:
    with connect("postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def vacuum(name: str) -> None:
    """A migration that rewrites a table (adding a stored generated column) leaves it without a
    visibility map and with stale statistics: index-only scans then read the heap, and the figures
    would measure that until autovacuum came by. Run after migrations applied in place."""
    with connect(name, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def info(name: str) -> dict:
    """Everything the marker table of NAME holds ({} when none)."""
    if not exists(name):
        return {}
    with connect(name) as connection:
        if connection.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()[0] is None:
            return {}
        return dict(connection.execute(f"SELECT key, value FROM {MARKER_TABLE}").fetchall())


def marker(name: str) -> str:
    return info(name).get("dataset", "")


def mark(name: str, value: str, seconds: str = "") -> None:
    with connect(name) as connection:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
        for key, text in (("dataset", value), ("generation_seconds", seconds)):
            connection.execute(
                f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, text],
            )


def main(argv: list[str]) -> None:
    commands = {"url": lambda n: print(url_for(n)), "create": create, "drop": drop, "vacuum": vacuum,
                "marker": lambda n: print(marker(n)), "mark": mark}
    if len(argv) < 2 or argv[0] not in commands:
        raise SystemExit(__doc__)
    commands[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
