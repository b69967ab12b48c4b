"""An embedded PostgreSQL server for development and tests when no DATABASE_URL is set.

The `pgserver` package ships the PostgreSQL binaries. The server runs from a data folder inside the
project, listens only on a Unix socket, and keeps running between commands so later runs reuse it.
"""

from pathlib import Path

DATABASE_NAME = "certquiz"


def database_settings(data_dir: Path) -> dict:
    import pgserver  # imported lazily: production with DATABASE_URL never needs it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(socket_dir),
    }
