"""Item analysis on a planted bank: learners answer through the real services, the periodic
command computes the statistics, a wrong key is flagged and a good question is not."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.factories import UserFactory
from quizzes import item_analysis
from quizzes.factories import QuestionFactory
from quizzes.models import QuestionStats, QuizMode, ReportType
from quizzes.moderation import services as moderation
from quizzes.services import finish_session, start_session
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import submit

pytestmark = pytest.mark.django_db

STRONG, WEAK = 12, 12


@pytest.fixture
def planted_bank():
    """Four good questions (option 1 right) and one whose key is wrong: option 1 is marked right,
    but the strong learners, who know the topic, all choose option 2."""
    good = [QuestionFactory(question_text=f"Good question {i}?") for i in range(4)]
    wrong_key = QuestionFactory(question_text="Which port does HTTPS use?")
    for number in range(STRONG + WEAK):
        strong = number < STRONG
        learner = UserFactory(username=f"planted{number}", email=f"planted{number}@example.com")
        session = start_session(user=learner, mode=QuizMode.PRACTICE, count=5).session
        for sq in session.session_questions.select_related("question"):
            options = list(sq.question.options.order_by("display_order"))
            if sq.question == wrong_key:
                # The strong pick what is really right; the weak split between the keyed one and a lure.
                choice = options[1] if strong else options[0] if number % 2 else options[2]
            else:
                choice = options[0] if strong or number % 3 == 0 else options[3]
            submit(session, sq, [str(choice.pk)])
        finish_session(session=session)
    return good, wrong_key


def test_a_wrong_key_is_flagged_and_good_questions_are_not(planted_bank):
    good, wrong_key = planted_bank
    out = StringIO()

    call_command("compute_item_stats", stdout=out)

    assert "5 question(s) analysed, 1 flagged" in out.getvalue()
    flagged = QuestionStats.objects.get(question=wrong_key)
    assert flagged.check_key and flagged.attempts == STRONG + WEAK
    assert flagged.discrimination < 0 and "strongest learners chose the wrong option" in flagged.check_key_reason
    shares = {share["text"]: share["share"] for share in flagged.option_shares}
    assert shares == {"Option 1": 0.25, "Option 2": 0.5, "Option 3": 0.25, "Option 4": 0.0}
    for question in good:
        stats = QuestionStats.objects.get(question=question)
        assert not stats.check_key and stats.discrimination > 0.5
        assert stats.facility == pytest.approx((STRONG + WEAK / 3) / (STRONG + WEAK))


@pytest.mark.parametrize("count, flagged", [(item_analysis.MIN_ATTEMPTS - 1, False), (item_analysis.MIN_ATTEMPTS, True)])
def test_negative_discrimination_flags_only_over_enough_attempts(count, flagged):
    # Right answers come from learners who did badly on the rest of their quiz, and the reverse.
    attempts = [item_analysis.Attempt(i, i % 2 == 0, 0.2 if i % 2 == 0 else 0.8) for i in range(count)]
    option = QuestionFactory().options.first()

    stats = item_analysis.analyse(option.question_id, attempts, [option], now=None)

    assert stats.discrimination == pytest.approx(-1.0)
    assert ("negative discrimination" in stats.check_key_reason) is flagged and stats.check_key is flagged


@pytest.mark.slow
def test_recomputing_replaces_the_rows(planted_bank):
    call_command("compute_item_stats", stdout=StringIO())
    first = dict(QuestionStats.objects.values_list("question_id", "computed_at"))

    item_analysis.compute_item_stats()

    assert QuestionStats.objects.count() == 5
    assert all(QuestionStats.objects.get(pk=pk).computed_at > at for pk, at in first.items())


@pytest.mark.slow
def test_the_admin_list_filters_and_sorts_by_the_statistics_and_the_queue_shows_them(
        planted_bank, admin_client, learner):
    _, wrong_key = planted_bank
    item_analysis.compute_item_stats()
    moderation.report_problem(reporter=learner, question=wrong_key, type=ReportType.ERROR, description="Key?")
    changelist = reverse("admin:quizzes_question_changelist")

    flagged = admin_client.get(changelist, {"stats__check_key__exact": "1"})
    by_facility = admin_client.get(changelist, {"o": "-11"})  # the facility column, descending
    queue = admin_client.get(reverse("admin:quizzes_problemreport_queue")).content.decode()

    assert [q.pk for q in flagged.context["cl"].result_list] == [wrong_key.pk]
    negative = admin_client.get(changelist, {"item_stats": "negative"}).context["cl"].result_list
    assert [q.pk for q in negative] == [wrong_key.pk]
    assert admin_client.get(changelist, {"item_stats": "none"}).context["cl"].result_count == 0
    facilities = [q.stats.facility for q in by_facility.context["cl"].result_list]
    assert facilities == sorted(facilities, reverse=True)
    assert "Check the key" in queue and "24 attempts, facility 25%" in queue


@pytest.mark.slow
def test_the_job_runs_a_fixed_number_of_queries_whatever_the_bank(planted_bank, django_assert_num_queries):
    QuestionFactory.create_batch(3)  # never answered: no row, no query
    # SAVEPOINT; the attempts with their rest-of-quiz scores; the options of the batch; the chosen
    # options of the batch; the upsert of the rows; the delete of rows not recomputed; RELEASE.
    with django_assert_num_queries(7):
        assert item_analysis.compute_item_stats() == 5


@pytest.mark.slow
def test_the_report_queue_reads_the_statistics_without_a_query_per_report(planted_bank, admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    good, wrong_key = planted_bank
    item_analysis.compute_item_stats()
    reporters = [UserFactory(username=f"reporter{i}", email=f"reporter{i}@example.com") for i in range(4)]
    queue = reverse("admin:quizzes_problemreport_queue")
    moderation.report_problem(reporter=reporters[0], question=wrong_key, type=ReportType.ERROR, description="Key?")
    admin_client.get(queue)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(queue)
    for reporter, question in zip(reporters[1:], good):
        moderation.report_problem(reporter=reporter, question=question, type=ReportType.ERROR, description="Hm.")
    with CaptureQueriesContext(connection) as four:
        page = admin_client.get(queue).content.decode()

    assert page.count("Statistics: 24 attempts") == 4
    assert len(four) == len(one)
