import json
import logging

import pytest
from django.db import connection


def test_pages_send_a_content_security_policy_without_inline_script(client, db):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert "<script>" not in response.content.decode()


def test_every_response_carries_a_request_id_that_appears_in_the_access_log(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="certquiz.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        generated = client.get("/healthz")

    assert response["X-Request-ID"] == "abc-123"
    assert len(generated["X-Request-ID"]) == 32
    record = next(r for r in caplog.records if r.name == "certquiz.access" and r.request_id == "abc-123")
    assert record.fields["status"] == 200 and record.fields["path"] == "/healthz"


def test_a_hostile_request_id_is_replaced(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 100})
    assert response["X-Request-ID"].isalnum()


def test_log_lines_are_json_with_the_request_id():
    from certquiz.middleware import JsonFormatter, RequestIdFilter, request_id_var

    token = request_id_var.set("req-1")
    record = logging.LogRecord("certquiz", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    RequestIdFilter().filter(record)
    request_id_var.reset(token)

    entry = json.loads(JsonFormatter().format(record))
    assert entry == {**entry, "level": "ERROR", "message": "boom now", "request_id": "req-1"}


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_answers_a_friendly_503_page_and_service_resumes(client):
    connection.close()
    saved_host = connection.settings_dict["HOST"]
    connection.settings_dict["HOST"] = "/nonexistent-socket-dir"
    try:
        page = client.get("/")
        health = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["HOST"] = saved_host

    assert page.status_code == 503
    assert "back in a moment" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert page["Retry-After"] == "30"
    assert health.status_code == 503
    assert client.get("/").status_code == 200
