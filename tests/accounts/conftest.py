
import pytest
from django.core.cache import cache

from tests.helpers.accounts import log_in_guest


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate-limit counters in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guest_client(client, guest):
    """A browser whose session practises as `guest`, as accounts.guests.get_or_create_learner leaves it."""
    return log_in_guest(client, guest)
