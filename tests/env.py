"""Loaded by pytest before Django (`-p tests.env` in pytest.ini): tests run with development
defaults unless the environment says otherwise. Production checks set their own settings."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Each pytest run gets its own test database, so runs side by side on one server never collide.
os.environ.setdefault("TEST_DATABASE_NAME", f"test_certquiz_{os.getpid()}")
