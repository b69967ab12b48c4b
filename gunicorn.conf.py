"""gunicorn settings for CertQuiz, tuned for a small server (2 cores, PostgreSQL on the same machine).

    gunicorn -c gunicorn.conf.py certquiz.wsgi

Every value can be overridden from the environment (the names below), and a command-line flag
overrides this file. The figures that chose them are in bench/README.md (bench/run measures them).
"""

import multiprocessing
import os


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be an integer, not {raw!r}") from None


cores = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")

# A request is Python (templates, ORM: the GIL serialises it within a process) plus waits on
# PostgreSQL's round trips, and PostgreSQL shares the same cores. One process per core, and four
# threads in each to fill those waits: bench/load.py served more answer POSTs with 2 x 4 than with
# 2 x 2 threads or 3 sync workers, at the same memory per worker (bench/README.md).
# Each thread holds its own database connection (CONN_MAX_AGE): workers x threads connections.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = env_int("WEB_CONCURRENCY", max(2, cores))
threads = env_int("GUNICORN_THREADS", 4)

# Recycle a worker after a few thousand requests, staggered so they never restart together:
# bounds the memory a slow leak (or a fragmented heap) can reach.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 400)

# Import the app once in the master: workers fork with Django loaded (faster restarts, shared pages).
# No database connection is opened at import, so none is shared across the fork.
preload_app = True

# A worker silent for this long is killed and replaced; a slow request ends well before it.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Keep-alive with the proxy in front (or the browser on a small deployment without one).
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The app logs each request itself (certquiz.access, with its request id): no second access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
