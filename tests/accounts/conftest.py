import re

import pytest
from django.core.cache import cache

from accounts.guests import GUEST_SESSION_KEY

PASSWORD = "correct-horse-battery"


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


def assert_inputs_labelled(html: str) -> list[str]:
    """Every visible input, select and textarea has a <label for> (or sits inside its label)."""
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    ids = []
    for tag in controls:
        if re.search(r'type="(?:hidden|submit)"', tag) or "right: -99999px" in tag:
            continue
        found = re.search(r'id="([^"]+)"', tag)
        assert found, f"control without id: {tag}"
        assert f'<label for="{found.group(1)}"' in html, f"control without label: {tag}"
        ids.append(found.group(1))
    return ids
