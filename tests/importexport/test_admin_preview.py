"""The admin's import preview: the parsed questions rendered as learners will see them (the first
50, warnings beside each), key changes and conflicts listed, errors answered with a 400."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.importexport.services import import_questions, parse_file
from quizzes.models import Question

pytestmark = pytest.mark.django_db

PREVIEW = reverse("importexport:import_preview")


def upload(client, content: bytes, name: str = "bank.gift"):
    return client.post(PREVIEW, {"file": SimpleUploadedFile(name, content), "status": "active"})


def test_the_preview_renders_each_question_as_learners_see_it_with_its_warnings(admin_client):
    content = ("::Sky::[markdown]Is the sky **blue**?{=yes ~no}\n\n"
               "[html]<p>Listen <audio src='https://x.example/a.mp3'></audio></p>{=a ~b}").encode()

    response = upload(admin_client, content)

    page = response.content.decode()
    assert response.status_code == 200 and not Question.objects.exists()
    assert "Is the sky <strong>blue</strong>?" in page
    assert "Line 1: Sky" in page and "✔ Correct:</strong> <p>yes</p>" in page
    previews = response.context["report"].previews
    assert [p.line for p in previews] == [1, 3]
    assert any("<audio>" in str(w) for w in previews[1].warnings) and "&lt;audio&gt;" in page


def test_the_preview_shows_at_most_50_questions(admin_client):
    content = "\n\n".join(f"Question {i}?{{=a ~b}}" for i in range(60)).encode()

    response = upload(admin_client, content)

    assert response.context["report"].created == 60
    assert len(response.context["report"].previews) == 50 and "(the first 50)" in response.content.decode()


def test_a_key_change_is_listed_in_the_preview(admin_client, admin_user):
    import_questions(parsed=parse_file("Port?{=80 ~443}", "gift"), created_by=admin_user)

    response = upload(admin_client, b"Port?{~80 =443}")

    page = html.unescape(response.content.decode())
    assert response.context["token"] and "Answer key changed (1)" in page
    assert 'line 1: "Port?": answer key changed: "80" → "443"' in page
    assert Question.objects.get().options.get(is_correct=True).text == "80"  # only a preview


def test_limits_and_database_errors_answer_400_with_the_line(admin_client):
    response = upload(admin_client, ("Fine?{=a ~b}\n\n" + "x" * 20_001 + "{=a ~b}").encode())

    assert response.status_code == 400 and "line 3:" in response.content.decode()
    assert response.context["token"] is None and not Question.objects.exists()
