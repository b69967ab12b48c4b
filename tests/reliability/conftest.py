import threading
import uuid

import pytest

from tests.reliability.harness import (
    TEMPLATE_DB,
    Gunicorn,
    SeparatePostgres,
    app_env,
    collect_static,
    forget_redis_keys,
    manage,
)


@pytest.fixture(scope="session")
def separate_postgres():
    """A PostgreSQL of these tests' own, which they may stop and start (never the shared one)."""
    postgres = SeparatePostgres()
    yield postgres
    postgres.destroy()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("static")


@pytest.fixture(scope="session")
def template_database(separate_postgres, static_root):
    """Migrated schema plus the demo data in a template database, and the collected static files
    (production settings need their manifest), once per session: collectstatic runs beside migrate."""
    env = app_env(separate_postgres.create_database(TEMPLATE_DB), static_root)
    env.pop("REDIS_URL", None)  # nothing of the set-up is left in the test Redis
    static_error = []
    collector = threading.Thread(target=lambda: _collect(env, static_error))
    collector.start()
    manage(env, "migrate", "--noinput", "--skip-checks", "--verbosity", "0", timeout=180)
    manage(env, "load_demo_data", "--skip-checks", "--verbosity", "0", timeout=180)
    collector.join()
    if static_error:
        raise static_error[0]
    return TEMPLATE_DB


def _collect(env, errors):
    try:
        collect_static(env)
    except Exception as error:  # noqa: BLE001 - re-raised in the fixture
        errors.append(error)


@pytest.fixture
def app_database(separate_postgres, template_database):
    """A fresh copy of the template for one test; its DATABASE_URL."""
    name = f"app_{uuid.uuid4().hex[:10]}"
    url = separate_postgres.create_database(name, template=template_database)
    yield url
    if separate_postgres.is_running():
        with separate_postgres.connect(autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def start_gunicorn(app_database, static_root, tmp_path):
    """start_gunicorn(**env) -> a running Gunicorn on the test's database; all stopped at the end.
    The servers of one test share their settings (SECRET_KEY, cache prefix) as app hosts do."""
    servers = []
    env = app_env(app_database, static_root)

    def start(workers=2, **extra):
        server = Gunicorn({**env, **extra}, tmp_path, workers=workers)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()
    if env.get("CACHE_KEY_PREFIX"):
        forget_redis_keys(env["CACHE_KEY_PREFIX"])
