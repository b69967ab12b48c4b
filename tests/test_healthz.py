from contextlib import contextmanager

from django.db import connections


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok"}
    assert "no-cache" in response["Cache-Control"]


@contextmanager
def unreachable_database(socket_dir):
    """Swap the default connection for a real one aimed at a socket folder with no server in it.

    The test's own connection, with its open transaction, is set aside untouched and put back."""
    dead = connections.create_connection("default")
    dead.settings_dict = {**dead.settings_dict, "HOST": str(socket_dir), "PORT": "5432"}
    real = connections["default"]
    connections["default"] = dead
    try:
        yield
    finally:
        connections["default"] = real
        dead.close()


def test_healthz_answers_503_while_the_database_is_unreachable(client, db, tmp_path):
    with unreachable_database(tmp_path):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"db": "unavailable"}

    assert client.get("/healthz").status_code == 200


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
