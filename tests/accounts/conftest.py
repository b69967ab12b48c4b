
import pytest
from django.core.cache import cache

from accounts.guests import GUEST_SESSION_KEY


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth keeps its rate-limit counters in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guest_client(client, guest):
    """A browser whose session practises as `guest`, as accounts.guests.get_or_create_learner leaves it."""
    session = client.session
    session[GUEST_SESSION_KEY] = str(guest.pk)
    session.save()
    return client
