"""Helpers of the accounts tests (plain functions and constants; the fixtures are in tests/accounts/conftest.py)."""

import re

from accounts.guests import GUEST_SESSION_KEY


PASSWORD = "correct-horse-battery"


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


def log_in_guest(client, guest):
    """Make `client` the browser of `guest`, as LearnerMiddleware finds one (the guest's id in the
    Django session). Returns the client."""
    session = client.session
    session[GUEST_SESSION_KEY] = str(guest.pk)
    session.save()
    return client
