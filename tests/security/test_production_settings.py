"""Production settings, as a deployment gets them from its environment (DEBUG unset, a long random
SECRET_KEY, ALLOWED_HOSTS): Django's deployment checks pass without a warning, and real responses
carry the security headers and cookie flags. Run in subprocesses, because the test suite itself
runs with development settings (tests/env.py)."""

import json
import os
import secrets
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.db import connection

from tests.reliability.harness import ROOT

pytestmark = pytest.mark.slow  # every test starts Django (or gunicorn) in a subprocess

HOST = "certquiz.example.com"


def production_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "TEST_DATABASE_NAME",
                 "REDIS_URL", "ALLOWED_HOSTS", "LOG_FORMAT"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="certquiz.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        # Never connected to by the checks: they need the settings, not the database.
        DATABASE_URL="postgres://certquiz:secret@127.0.0.1:1/certquiz",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def run(args, env, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "extra",
    [{}, {"REDIS_URL": "redis://127.0.0.1:1/0", "TRUSTED_PROXY_COUNT": "1"}],
    ids=["database sessions", "redis cache and sessions behind a proxy"],
)
def test_check_deploy_reports_no_issue_with_production_settings(extra):
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(**extra))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = run([sys.executable, "manage.py", "check"], env)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="certquiz.example.com")
https = {"X-Forwarded-Proto": "https"}
out = {}
plain = client.get("/")
out["http"] = [plain.status_code, plain.get("Location")]
health = client.get("/healthz")
out["healthz"] = health.status_code
page = client.get("/accounts/login/", headers=https)
out["status"] = page.status_code
out["headers"] = dict(page.headers)
cookie = page.cookies.get("csrftoken")
out["csrf_cookie"] = {"secure": bool(cookie["secure"]), "samesite": cookie["samesite"]} if cookie else None
out["settings"] = {name: getattr(settings, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "X_FRAME_OPTIONS", "SESSION_ENGINE"]}
out["hashers"] = settings.PASSWORD_HASHERS[:1]
out["validators"] = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
print(json.dumps(out))
"""


def test_real_responses_carry_the_security_headers_and_secure_cookies(db):
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{quote(settings['HOST'], safe='')}/{settings['NAME']}"
    result = run([sys.executable, "-c", PROBE], production_env(DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert out["http"] == [301, f"https://{HOST}/"]  # plain http is sent to https
    assert out["healthz"] == 200  # ... except the load balancer's health check
    assert out["status"] == 200
    headers = out["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert out["csrf_cookie"]["secure"] is True
    assert out["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
    }
    # Passwords: Django's PBKDF2 hasher and all four of its validators.
    assert out["hashers"] == ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert out["validators"] == [
        "UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator"
    ]
