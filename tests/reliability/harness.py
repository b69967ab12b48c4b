"""Real servers for the reliability tests: a PostgreSQL of their own (pgserver, in a temporary
folder: never the project's .pgdata server, which other tests share), gunicorn serving the app with
production settings on a loopback port, and a browser-like HTTP client.

Everything here stops what it started, by process id."""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DB = "certquiz_template"
DEMO_LEARNER = ("learner", "certquiz-learner")
WEBHOOK_SECRET = "whsec_reliability_" + secrets.token_hex(8)
# Tests use a Redis only when this says where (a database number of its own is best).
REDIS_URL_ENV = "CERTQUIZ_TEST_REDIS_URL"


class SeparatePostgres:
    """An embedded PostgreSQL in a temporary folder, listening on a Unix socket only."""

    def __init__(self):
        import pgserver

        self.root = Path(tempfile.mkdtemp(prefix="cq-pg-"))
        self.pgdata = self.root / "pgdata"
        server = pgserver.get_server(self.pgdata, cleanup_mode=None)
        self.socket_dir = server.get_postmaster_info().socket_dir
        self.log = self.pgdata / "log"
        # pgserver runs PostgreSQL as its own system user when we are root (PostgreSQL refuses root).
        self.system_user = "pgserver" if os.geteuid() == 0 else None

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(host=str(self.socket_dir), user="postgres", dbname=dbname, connect_timeout=5, **kwargs)

    def create_database(self, name: str, template: str | None = None) -> str:
        with self.connect(autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            connection.execute(statement)
        return self.url(name)

    def _pg_ctl(self, args: list[str], timeout: int = 30) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(args, pgdata=self.pgdata, user=self.system_user, timeout=timeout)

    def is_running(self) -> bool:
        try:
            with self.connect() as connection:
                connection.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False

    def stop(self) -> None:
        """`pg_ctl stop -m fast`: open connections are cut, as when a database server goes down."""
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.log), "start"])

    def destroy(self) -> None:
        if self.is_running():
            try:
                self.stop()
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(database_url: str, static_root: Path, **extra: str) -> dict:
    """Production settings (DEBUG off, a long random key) over plain http on loopback."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    for name in ("TEST_DATABASE_NAME", "REDIS_URL", "EMBEDDED_PGDATA"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="certquiz.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        BMAC_WEBHOOK_SECRET=WEBHOOK_SECRET,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if os.environ.get(REDIS_URL_ENV):
        env["REDIS_URL"] = os.environ[REDIS_URL_ENV]
        env["CACHE_KEY_PREFIX"] = f"certquiz-test-{uuid.uuid4().hex[:12]}"
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


class Gunicorn:
    """gunicorn -c gunicorn.conf.py certquiz.wsgi on a free loopback port."""

    def __init__(self, env: dict, log_dir: Path, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": "2"}
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "certquiz.wsgi",
                   "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer /healthz within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()[-5000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGINT: gunicorn's quick shutdown (SIGTERM would wait for idle keep-alive connections).
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


class Browser:
    """A requests.Session that behaves like a form-posting browser (cookies, CSRF token)."""

    def __init__(self, base_url: str, host: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        if host:  # the public host name a reverse proxy passes on, whichever app host it picks
            self.session.headers["Host"] = host

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=10, allow_redirects=False, **kwargs)

    def post(self, path: str, data=None, **kwargs) -> requests.Response:
        data = {**(data or {}), "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        headers = {"Referer": self.base_url + path, **kwargs.pop("headers", {})}
        return self.session.post(self.base_url + path, data=data, headers=headers, timeout=10,
                                 allow_redirects=False, **kwargs)

    def on(self, base_url: str) -> "Browser":
        """The same browser (same cookies) talking to another server."""
        other = Browser(base_url)
        other.session.cookies = self.session.cookies
        other.session.headers = self.session.headers
        return other

    def log_in(self, username: str, password: str) -> requests.Response:
        self.get("/accounts/login/")  # sets the CSRF cookie
        return self.post("/accounts/login/", {"login": username, "password": password})

    def start_quiz(self, count: int = 5) -> str:
        """Starts a practice quiz; returns its path /quiz/<id>/."""
        response = self.post("/quiz/start/", {"count": str(count), "mode": "practice"})
        assert response.status_code == 302, (response.status_code, response.text[:2000])
        match = re.match(r"^/quiz/([0-9a-f-]{36})/q/1/$", response.headers["Location"])
        assert match, response.headers["Location"]
        return f"/quiz/{match.group(1)}/"

    def option_ids(self, quiz: str, number: int) -> list[str]:
        page = self.get(f"{quiz}q/{number}/")
        assert page.status_code == 200, (page.status_code, page.text[:2000])
        return re.findall(r'name="option" value="([0-9a-f-]{36})"', page.text)

    def answer(self, quiz: str, number: int) -> requests.Response:
        """Answers question `number` with its first option; a 302 is the server's acknowledgement."""
        option = self.option_ids(quiz, number)[0]
        return self.post(f"{quiz}q/{number}/answer/", {"option": option})


def collect_static(env: dict) -> None:
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


def forget_redis_keys(prefix: str) -> None:
    """Delete what the test's servers stored in the test Redis (sessions, rate-limit counters)."""
    import redis

    client = redis.Redis.from_url(os.environ[REDIS_URL_ENV])
    try:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    finally:
        client.close()
