"""Guests are bounded per client address: how many a browser without cookies can create, how many
questions all guests of one address answer a day; and idle guests are deleted with their quizzes."""

import re
from datetime import timedelta
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts.factories import GuestFactory, UserFactory
from accounts.models import Role, User
from certquiz import ratelimit
from certquiz.advisory_lock import lock_key
from quizzes.factories import QuestionFactory
from quizzes.models import QuizSession, SessionQuestion
from quizzes.services import start_session
from tests.helpers.quizzes import correct_option_ids
from tests.reliability.test_periodic_jobs import conninfo

ATTACKER, NEIGHBOUR = "203.0.113.7", "198.51.100.9"


@pytest.fixture
def frozen_clock(monkeypatch):
    """The per-address counters count in fixed windows: keep each test inside one."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0)


@pytest.fixture
def bank(ccna):
    return QuestionFactory.create_batch(5, exams=[ccna])


def start_as_new_visitor(address: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/quiz/start/", {"count": 3, "mode": "practice", "exam": "CCNA"})


def guests() -> int:
    return User.objects.filter(role=Role.GUEST).count()


def test_dropping_the_cookie_does_not_buy_guests_without_end(db, settings, frozen_clock, bank):
    settings.GUEST_CREATION_RATE_LIMIT = "3/h"

    answers = [start_as_new_visitor(ATTACKER)[1] for _ in range(5)]

    assert [response.status_code for response in answers] == [302, 302, 302, 429, 429]
    assert "Too many guest sessions were started from your network" in answers[3].content.decode()
    assert re.search(r"try again in \d+ (minutes?|hours?)", answers[3].content.decode())
    assert guests() == 3
    # Another address is not affected; nor is a guest who kept its cookie.
    assert start_as_new_visitor(NEIGHBOUR)[1].status_code == 302
    returning, _ = start_as_new_visitor(NEIGHBOUR)
    assert returning.post("/quiz/start/", {"count": 3, "mode": "practice"}).status_code == 302
    assert guests() == 5


def test_a_bookmark_by_a_new_visitor_counts_as_a_new_guest(db, settings, frozen_clock, bank):
    settings.GUEST_CREATION_RATE_LIMIT = "1/h"
    assert Client(REMOTE_ADDR=ATTACKER).post(f"/questions/{bank[0].pk}/bookmark/").status_code == 302
    refused = Client(REMOTE_ADDR=ATTACKER).post(f"/questions/{bank[0].pk}/bookmark/")
    assert refused.status_code == 429 and "Too many guest sessions" in refused.content.decode()
    assert guests() == 1


def answer(client, session_id, number, data=None):
    session = QuizSession.objects.get(pk=session_id)
    sq = session.session_questions.select_related("question").get(question_order=number - 1)
    return client.post(f"/quiz/{session_id}/q/{number}/answer/", data or {"option": correct_option_ids(sq)})


def quiz_of(response) -> str:
    return response["Location"].split("/")[2]


def test_guests_of_one_address_share_a_daily_question_limit(db, settings, frozen_clock, bank):
    settings.GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS = 3
    first, started = start_as_new_visitor(ATTACKER)
    first_quiz = quiz_of(started)
    second, started = start_as_new_visitor(ATTACKER)  # the cookie dropped: a new guest
    second_quiz = quiz_of(started)

    assert answer(first, first_quiz, 1).status_code == 302
    assert answer(first, first_quiz, 2, {"option": "not-an-option"}).status_code == 422  # refused: not counted
    assert answer(first, first_quiz, 2).status_code == 302
    assert answer(second, second_quiz, 1).status_code == 302
    refused = answer(second, second_quiz, 2)

    assert refused.status_code == 422
    assert "Guests from your network have answered today&#x27;s 3 free questions" in refused.content.decode()
    assert SessionQuestion.objects.filter(answered_at__isnull=False).count() == 3
    # A guest from another address, and a learner with an account, are not affected.
    neighbour, started = start_as_new_visitor(NEIGHBOUR)
    assert answer(neighbour, quiz_of(started), 1).status_code == 302
    learner = UserFactory()
    signed_in = Client(REMOTE_ADDR=ATTACKER)
    signed_in.force_login(learner)
    quiz = start_session(user=learner, count=1).session
    assert answer(signed_in, quiz.pk, 1).status_code == 302


def idle_guest(days: int, *, with_quiz: bool = True):
    guest = GuestFactory()
    then = timezone.now() - timedelta(days=days)
    User.objects.filter(pk=guest.pk).update(created_at=then)
    if with_quiz:
        session = start_session(user=guest, count=2).session
        QuizSession.objects.filter(pk=session.pk).update(last_activity_at=then, started_at=then)
    return guest


def delete_idle_guests(*args) -> str:
    out = StringIO()
    call_command("delete_idle_guests", *args, stdout=out)
    return out.getvalue()


def test_guests_idle_for_the_retention_days_are_deleted_with_their_quizzes(db, settings, bank):
    settings.GUEST_RETENTION_DAYS = 30
    idle = [idle_guest(31) for _ in range(3)] + [idle_guest(45, with_quiz=False)]
    recently_active = idle_guest(40)
    QuizSession.objects.filter(user=recently_active).update(last_activity_at=timezone.now() - timedelta(days=2))
    young = idle_guest(29)
    learner = UserFactory()
    User.objects.filter(pk=learner.pk).update(created_at=timezone.now() - timedelta(days=400))

    output = delete_idle_guests()

    assert output == "4 idle guest(s) deleted (idle for 30 days or more).\n"
    kept = {recently_active.pk, young.pk, learner.pk}
    assert set(User.objects.filter(pk__in=kept | {guest.pk for guest in idle}).values_list("pk", flat=True)) == kept
    assert not QuizSession.objects.filter(user__in=idle).exists()
    assert not SessionQuestion.objects.filter(session__user__in=idle).exists()
    assert QuizSession.objects.filter(user__in=[recently_active, young]).count() == 2
    assert delete_idle_guests() == "0 idle guest(s) deleted (idle for 30 days or more).\n"


def test_the_clean_up_works_in_batches(db, bank):
    from accounts.guests import delete_idle_guests as delete

    for _ in range(5):
        idle_guest(31)
    assert delete(idle_since=timezone.now() - timedelta(days=30), batch_size=2) == 5
    assert guests() == 0


def test_the_clean_up_is_a_periodic_job_that_one_host_runs_at_a_time(db, settings, bank):
    idle_guest(31)
    other_host = psycopg.connect(**conninfo(), autocommit=True)
    try:
        assert other_host.execute("SELECT pg_try_advisory_lock(%s)", [lock_key("delete_idle_guests")]).fetchone()[0]
        assert delete_idle_guests() == "Skipped: delete_idle_guests is running on another host.\n"
        out = StringIO()
        call_command("run_periodic_jobs", "--only", "delete_idle_guests", stdout=out)
        assert "delete_idle_guests: skipped: running on another host" in out.getvalue()
        assert guests() == 1
    finally:
        other_host.execute("SELECT pg_advisory_unlock(%s)", [lock_key("delete_idle_guests")])
        other_host.close()
    out = StringIO()
    call_command("run_periodic_jobs", "--only", "delete_idle_guests", stdout=out)
    assert "delete_idle_guests: done: 1 guest(s) idle for 30 days deleted with their quizzes" in out.getvalue()
    assert guests() == 0


def test_the_retention_cannot_be_zero(db):
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("delete_idle_guests", "--days", "0")


def test_the_addresses_of_one_ipv6_network_count_as_one(db, settings, frozen_clock, bank):
    settings.GUEST_CREATION_RATE_LIMIT = "2/h"
    statuses = [start_as_new_visitor(f"2001:db8:1:2::{n}")[1].status_code for n in range(1, 4)]
    assert statuses == [302, 302, 429]
    assert start_as_new_visitor("2001:db8:1:3::1")[1].status_code == 302  # another /64


def test_a_per_address_limit_of_zero_means_none(db, settings, frozen_clock, bank):
    settings.GUEST_DAILY_QUESTION_LIMIT_PER_ADDRESS = 0
    client, started = start_as_new_visitor(ATTACKER)
    assert [answer(client, quiz_of(started), number).status_code for number in (1, 2, 3)] == [302, 302, 302]
