"""PostgreSQL advisory locks: one host at a time runs a periodic job, however many run the command.

`pg_try_advisory_lock` never waits: a host that finds the lock taken skips the job (another host is
doing it) instead of doing it again afterwards. The lock is held by the database session, so it is
released when the job ends, or by PostgreSQL itself when the process dies or its connection drops.
It needs a real session: behind PgBouncer in transaction mode, point the commands at PostgreSQL
directly (README, Operations)."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections

NAMESPACE = "certquiz:"


def lock_key(name: str, *, using: str = "default") -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL's bigint advisory lock space). Advisory
    locks are server-wide: the database's name is part of the key, so two databases on one server
    (staging and production, parallel test runs) never hold each other's locks."""
    database = connections[using].settings_dict["NAME"]
    digest = hashlib.sha256(f"{NAMESPACE}{database}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def advisory_lock(name: str, *, using: str = "default") -> Iterator[bool]:
    """Yields True when this session got the lock, False when another session holds it."""
    connection = connections[using]
    key = lock_key(name, using=using)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                connection.close()  # the lock ends with the session
