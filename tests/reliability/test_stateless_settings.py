"""Nothing lives in one app host: sessions in PostgreSQL (read through Redis when REDIS_URL is set),
the cache (rate limits) in Redis when set, uploads in the storage backend the environment names."""

import json
import os
import subprocess
import sys

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from quizzes.factories import QuestionFactory
from quizzes.moderation import services as moderation
from tests.helpers.moderation import PNG_1PX
from tests.reliability.harness import ROOT

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({"session": settings.SESSION_ENGINE, "cache": settings.CACHES["default"],
                  "media": settings.STORAGES["default"]}))
"""


def settings_with(**env) -> dict:
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    for name in ("REDIS_URL", "MEDIA_STORAGE_BACKEND", "MEDIA_STORAGE_OPTIONS", "CACHE_KEY_PREFIX"):
        environ.pop(name, None)
    environ.update(DJANGO_SETTINGS_MODULE="certquiz.settings", DEBUG="true",
                   DATABASE_URL="postgres://u:p@127.0.0.1:1/x", **env)
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + PRINT_SETTINGS],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_without_redis_sessions_are_in_the_database_and_the_cache_per_process():
    found = settings_with()
    assert found["session"] == "django.contrib.sessions.backends.db"
    assert found["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["media"] == {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {}}


@pytest.mark.slow
def test_with_redis_the_cache_is_shared_and_sessions_are_read_through_it():
    found = settings_with(REDIS_URL="redis://cache.internal:6379/2", CACHE_KEY_PREFIX="certquiz-staging")
    assert found["session"] == "django.contrib.sessions.backends.cached_db"
    assert found["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert found["cache"]["KEY_PREFIX"] == "certquiz-staging"


@pytest.mark.slow
def test_the_upload_storage_comes_from_the_environment():
    options = {"bucket_name": "certquiz-media", "endpoint_url": "https://s3.example.com", "querystring_auth": False}
    found = settings_with(MEDIA_STORAGE_BACKEND="storages.backends.s3.S3Storage", MEDIA_STORAGE_OPTIONS=json.dumps(options))
    assert found["media"] == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


@pytest.mark.slow
@pytest.mark.parametrize("value", ["not json", "[1, 2]", '"text"'])
def test_storage_options_that_are_not_a_json_object_stop_the_start(value):
    environ = {**os.environ, "MEDIA_STORAGE_OPTIONS": value, "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "MEDIA_STORAGE_OPTIONS must be a JSON object" in result.stderr


IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=IN_MEMORY, MEDIA_ROOT="/nonexistent/never-written")
def test_uploads_go_through_the_configured_storage_and_are_served_from_it(db):
    """With another backend (here Django's in-memory one, as S3 would be), an exhibit image is
    stored there, not on this host's disk, and every host serves it from there."""
    question = QuestionFactory()
    moderation.change_images(question=question, add=[SimpleUploadedFile("exhibit.png", PNG_1PX)])
    path = question.images[0]

    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(path)
    response = Client().get(f"/media/{path}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_1PX
