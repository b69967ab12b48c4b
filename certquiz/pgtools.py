"""Run PostgreSQL's client tools (pg_dump, pg_restore, psql) against a Django database."""

import os
import shutil
import subprocess
from pathlib import Path


def client_binary(name: str) -> str:
    """The embedded server's own tools (pgserver's) for the embedded database; for a server of
    DATABASE_URL, the tools on the PATH, which are that server's (install its client package):
    a production backup is made by the server's own pg_dump, never by pgserver's."""
    from django.conf import settings

    if not settings.DATABASE_URL:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found: install the PostgreSQL client tools of your server's version.")
    return found


def connection_args(database: dict, name: str | None = None) -> tuple[list[str], dict]:
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", database["USER"]]
    args += ["--dbname", name or database["NAME"]]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return args, env


def run(tool: str, database: dict, extra: list[str], name: str | None = None) -> subprocess.CompletedProcess:
    args, env = connection_args(database, name)
    return subprocess.run([client_binary(tool), *args, *extra], env=env, check=True, capture_output=True, text=True)
