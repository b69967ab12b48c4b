"""Over-long values are refused with a form error or a 400, never passed to PostgreSQL to fail there
as a 503 "back in a moment" (issue 19, point 3)."""

import json
import re
import secrets

import pytest
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import User
from certquiz.middleware import DatabaseUnavailableMiddleware

# Random (letters, digits, - and _), so PostgreSQL cannot compress it under its index row limit.
LONG = secrets.token_urlsafe(2250)
PASSWORD = "a-good-passphrase-7"


def test_a_3000_character_username_at_sign_up_is_a_form_error(db):
    response = Client().post(reverse("account_signup"), {
        "email": "long@example.com", "username": LONG, "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 3000)." in response.content.decode()
    assert not User.objects.filter(email="long@example.com").exists()


def test_an_over_long_email_at_sign_up_is_a_form_error(db):
    response = Client().post(reverse("account_signup"), {
        "email": f"{LONG}@example.com", "username": "longmail", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()
    assert not User.objects.filter(username="longmail").exists()


def test_an_over_long_login_or_password_is_a_form_error(db):
    for data in ({"login": LONG, "password": "x"}, {"login": "someone", "password": LONG}):
        response = Client().post(reverse("account_login"), data)
        assert response.status_code == 200
        assert "Ensure this value has at most" in response.content.decode()


@pytest.mark.parametrize("url,field,limit", [
    ("account_signup", "username", 150),
    ("account_signup", "email", 254),
    ("account_signup", "password1", 256),
    ("account_login", "login", 254),
    ("account_login", "password", 256),
    ("account_reset_password", "email", 254),
])
def test_every_text_input_of_the_public_account_forms_carries_its_limit(db, url, field, limit):
    page = Client().get(reverse(url)).content.decode()
    tag = re.search(rf'<input[^>]*\bname="{field}"[^>]*>', page).group(0)
    assert f'maxlength="{limit}"' in tag


def test_the_signed_in_account_forms_limit_their_inputs(db):
    user = UserFactory(username="keeper", password=PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": f"{LONG}@example.com"})
    assert response.status_code == 200 and "Ensure this value has at most 254 characters" in response.content.decode()
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": LONG, "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and "Ensure this value has at most 256 characters" in response.content.decode()


def database_error(sql: str, params=()):
    """The exception PostgreSQL really raises for `sql`, as Django wraps it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except Exception as error:  # noqa: BLE001 - returned for the test
        return error
    raise AssertionError("the statement succeeded")


@pytest.mark.parametrize("sql,params", [
    # An index row over PostgreSQL's size limit (SQLSTATE 54000): psycopg calls it an OperationalError.
    ("INSERT INTO users (id, email, username, password, role, is_active, is_superuser) "
     "VALUES (gen_random_uuid(), 'x@example.com', %s, '', 'user', true, false)", [LONG]),
    ("SELECT 'not a number'::integer", []),  # a data exception (SQLSTATE 22P02): Django's DataError
])
def test_a_value_the_database_refuses_is_a_400_not_an_outage(db, sql, params):
    error = database_error(sql, params)
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    page = middleware.process_exception(RequestFactory().post("/accounts/signup/"), error)
    hook = middleware.process_exception(RequestFactory().post("/billing/webhooks/bmac/"), error)

    assert page.status_code == 400 and "too long or not valid" in page.content.decode()
    assert hook.status_code == 400 and json.loads(hook.content) == {
        "error": "A value you sent is too long or not valid. Please shorten or correct it and try again."}
