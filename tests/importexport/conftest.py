import pytest

from quizzes.importexport.services import import_questions, parse_file


@pytest.fixture
def staff(admin_user):
    """The staff persona: an admin who imports files."""
    return admin_user


@pytest.fixture
def run_import(staff):
    """Parse `text` as `format` and import it as the staff user; returns the report."""

    def run(text: str, format: str, **options):
        options.setdefault("created_by", staff)
        return import_questions(parsed=parse_file(text, format), **options)

    return run
