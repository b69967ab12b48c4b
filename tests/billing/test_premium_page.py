"""/billing/premium/: what premium gives for everyone; plan, status, paid until and the payment
email for a signed-in learner."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.factories import UserFactory
from billing.factories import PremiumSubscriptionFactory
from quizzes.factories import QuestionFactory
from quizzes.services import start_session
from tests.helpers.accounts import assert_inputs_labelled, log_in_guest
from tests.helpers.quizzes import submit

URL = "/billing/premium/"


def test_a_visitor_sees_what_premium_gives_and_a_sign_up_prompt(client, db):
    QuestionFactory.create_batch(2, is_premium=True)
    page = client.get(URL).content.decode()
    assert "What premium gives" in page
    assert "Every premium question (2 so far)" in page
    assert "up to 40 questions a day" in page
    assert 'href="/accounts/signup/?next=/billing/premium/"' in page
    assert "Buy Me a Coffee email" not in page


def test_a_guest_sees_the_sign_up_prompt_too(client, guest):
    log_in_guest(client, guest)
    page = client.get(URL).content.decode()
    assert "Create a free account" in page and "Your plan" not in page


def test_a_visitor_who_posts_is_sent_to_log_in(client, db):
    response = client.post(URL, {"email": "x@example.com"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_free_learner_sees_the_free_plan_todays_questions_and_the_upgrade_prompt(learner_client):
    response = learner_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge">Free</span>' in page
    assert "0 of 40 answered" in page
    assert "Upgrade to premium" in page
    assert 'href="https://buymeacoffee.com/certquiz-test"' in page
    assert "alice@example.com — ✓ confirmed" in page
    assert "only when it was made with one of its <strong>confirmed</strong> emails" in page
    assert_inputs_labelled(page)


@pytest.mark.django_db
def test_a_premium_learner_sees_status_and_paid_until_in_their_time_zone(client):
    end = datetime(2099, 3, 1, 23, 30, tzinfo=UTC)
    subscription = PremiumSubscriptionFactory(
        user__username="pat", user__time_zone="Asia/Tokyo", end_date=end, buy_me_a_coffee_email="pat.pays@example.com"
    )
    client.force_login(subscription.user)
    response = client.get(URL)
    page = response.content.decode()
    assert '<span class="badge badge-premium">Premium</span>' in page
    assert "Active (renews automatically)" in page
    assert "2 March 2099, 08:30" in page  # 23:30 UTC in Tokyo
    assert "Upgrade to premium" not in page


@pytest.mark.django_db
def test_a_cancelled_learner_sees_premium_lasts_to_the_end_of_the_period(client):
    subscription = PremiumSubscriptionFactory(status="cancelled", auto_renew=False)
    client.force_login(subscription.user)
    assert "Cancelled (premium until the paid period ends)" in client.get(URL).content.decode()


@pytest.mark.django_db
def test_an_expired_learner_sees_the_free_plan(client):
    subscription = PremiumSubscriptionFactory(end_date=timezone.now() - timedelta(days=30))
    client.force_login(subscription.user)
    page = client.get(URL).content.decode()
    assert '<span class="badge">Free</span>' in page and "Upgrade to premium" in page


def answer_to(client, email, **headers):
    """The page's answer to a link request, with the email itself blanked out."""
    response = client.post(URL, {"email": email}, headers=headers)
    if response.status_code == 302:
        response = client.get(response.url)
    page = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"', "", response.content.decode())
    EmailAddress.objects.filter(email=email.lower(), verified=False).delete()  # the next try starts alike
    return response.status_code, page.replace(email.lower(), "EMAIL")


@pytest.mark.parametrize("htmx", [False, True])
def test_an_unknown_email_and_another_accounts_email_get_the_same_answer(learner_client, other_learner, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    unknown = answer_to(learner_client, "nobody.yet@example.com", **headers)
    taken = answer_to(learner_client, other_learner.email, **headers)
    assert unknown[0] == 200 and "We sent a confirmation link to EMAIL" in unknown[1]
    assert "waiting for confirmation" in unknown[1]
    assert taken == unknown


def test_adding_another_accounts_email_changes_nothing_for_that_account(learner_client, learner, other_learner):
    learner_client.post(URL, {"email": other_learner.email})
    assert list(EmailAddress.objects.filter(email=other_learner.email, verified=True).values_list("user", flat=True)) == [
        other_learner.pk
    ]
    assert not EmailAddress.objects.get(user=learner, email=other_learner.email).verified


def test_an_invalid_email_is_refused(learner_client):
    response = learner_client.post(URL, {"email": "not-an-email"})
    assert response.status_code == 422 and "email" in response.context["form"].errors


def test_an_over_long_email_is_refused_with_a_form_error(learner_client):
    response = learner_client.post(URL, {"email": "a" * 250 + "@example.com"})
    assert response.status_code == 422
    assert "at most 254 characters" in str(response.context["form"].errors["email"])
    assert not EmailAddress.objects.filter(email__startswith="aaaa").exists()


def test_the_learners_own_confirmed_email_is_said_to_be_confirmed(learner_client, learner):
    response = learner_client.post(URL, {"email": learner.email}, follow=True)
    assert "alice@example.com is confirmed: payments made with it are matched" in response.content.decode()
    assert mail.outbox == []


def test_with_htmx_the_plan_card_is_swapped_in_place(learner_client):
    response = learner_client.post(URL, {"email": "alice.pays@example.com"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card" id="plan"')
    assert "We sent a confirmation link to alice.pays@example.com" in page
    assert response["Vary"].count("HX-Request") == 1
    assert [message.to for message in mail.outbox] == [["alice.pays@example.com"]]


def test_with_htmx_an_error_is_answered_422_with_the_card(learner_client):
    response = learner_client.post(URL, {"email": "not-an-email"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert 'id="plan"' in response.content.decode()


@override_settings(BMAC_CREATOR_URL="")
def test_without_a_creator_page_no_payment_link_is_shown(learner_client):
    page = learner_client.get(URL).content.decode()
    assert "buymeacoffee.com" not in page and "Payments are not open yet" in page


def test_an_admin_has_premium_without_a_subscription(admin_client):
    page = admin_client.get(URL).content.decode()
    assert "badge-premium" in page and "As an admin you have premium" in page


@pytest.mark.django_db
def test_the_free_question_count_counts_todays_answers(client):
    user = UserFactory()
    QuestionFactory.create_batch(2)
    session = start_session(user=user, count=2).session
    first = session.session_questions.select_related("question").get(question_order=0)
    right = first.question.options.filter(is_correct=True).values_list("pk", flat=True)
    submit(session, first, [str(pk) for pk in right])
    client.force_login(user)
    assert "1 of 40 answered" in client.get(URL).content.decode()


@pytest.mark.parametrize("addresses", [1, 5])
def test_the_page_costs_the_same_for_one_or_five_payment_emails(learner_client, learner, addresses, django_assert_num_queries):
    for n in range(addresses - 1):
        EmailAddress.objects.create(user=learner, email=f"alice{n}@example.com", verified=n % 2 == 0)
    learner_client.get(URL)
    # The premium question count, the session, the user with their subscription, today's answers,
    # the learner's email addresses, the navigation's count of review cards due.
    with django_assert_num_queries(6):
        page = learner_client.get(URL).content.decode()
    assert page.count("— ✓ confirmed") + page.count("— waiting for confirmation") == addresses


def test_adding_emails_is_rate_limited_per_account_as_on_allauths_email_page(learner_client, learner):
    codes = [learner_client.post(URL, {"email": f"alice{n}@example.com"}).status_code for n in range(11)]
    assert codes == [302] * 10 + [429]
    assert EmailAddress.objects.filter(user=learner, verified=False).count() == 10
    assert len(mail.outbox) == 10
