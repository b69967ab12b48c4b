import os

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

from accounts.factories import GuestFactory, UserFactory
from accounts.models import Role

# Property tests: a quick run in the everyday loop, a thorough one in scripts/test (and so in CI).
hypothesis_settings.register_profile(
    "quick", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
hypothesis_settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture
def learner(db):
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def other_learner(db):
    return UserFactory(username="mallory", email="mallory@example.com")


@pytest.fixture
def premium_learner(db):
    from billing.factories import PremiumSubscriptionFactory

    return PremiumSubscriptionFactory(user__username="pat", user__email="pat@example.com").user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", email="root@example.com", role=Role.ADMIN, is_superuser=True)


@pytest.fixture
def guest(db):
    return GuestFactory()


@pytest.fixture
def ccna(db):
    from quizzes.factories import ExamFactory

    return ExamFactory(code="CCNA", name="Cisco Certified Network Associate")


@pytest.fixture
def ospf(db):
    from quizzes.factories import CategoryFactory

    return CategoryFactory(code="OSPF", name="OSPF", display_order=1)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for attackers, not for a test suite on two cores."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache(request, django_db_blocker):
    """The local-memory cache outlives a test's database transaction: start every test empty. The
    rate-limit counters are rows of the test database, which a transactional test's flush leaves
    (the table belongs to no model): emptied after every test that used the database."""
    from django.conf import settings
    from django.core.cache import cache, caches

    cache.clear()
    yield
    if "django_db_setup" in request.fixturenames:
        with django_db_blocker.unblock():
            caches[settings.RATE_LIMIT_CACHE].clear()
