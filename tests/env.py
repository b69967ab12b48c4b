"""Loaded by pytest before Django (`-p tests.env` in pytest.ini): tests run with development
defaults unless the environment says otherwise. Production checks set their own settings."""

import os
import sys

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Each pytest run gets its own test database, so runs side by side on one server never collide;
# with --reuse-db one stable name, so that the next run finds the database the last one kept.
reusing = "--reuse-db" in sys.argv
os.environ.setdefault("TEST_DATABASE_NAME", "test_certquiz" if reusing else f"test_certquiz_{os.getpid()}")
