"""The staff import/export page, through real HTTP requests of the test client.
admin_client is pytest-django's client signed in as conftest's admin_user."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.importexport.common import MAX_FILE_SIZE
from quizzes.models import Question, QuestionStatus

pytestmark = pytest.mark.django_db

INDEX = reverse("importexport:index")
PREVIEW = reverse("importexport:import_preview")
RUN = reverse("importexport:import_run")
EXPORT = reverse("importexport:export")
GIFT = b"Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}\n\nWhen was Grant born?{#1822}\n"


def upload(client, content: bytes = GIFT, name: str = "bank.gift", **fields):
    return client.post(PREVIEW, {"file": SimpleUploadedFile(name, content), "status": "active", **fields})


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_page_is_mounted_under_the_admin():
    assert INDEX == "/admin/quizzes/import-export/"


@pytest.mark.parametrize("method, url", [("get", INDEX), ("post", PREVIEW), ("post", RUN), ("get", EXPORT)])
def test_learners_and_visitors_are_sent_to_the_admin_login(client, learner, method, url):
    anonymous = getattr(client, method)(url)
    client.force_login(learner)
    signed_in = getattr(client, method)(url)

    for response in (anonymous, signed_in):
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_learner_cannot_import(client, learner):
    client.force_login(learner)

    upload(client)

    assert not Question.objects.exists()


def test_staff_see_both_forms(admin_client):
    response = admin_client.get(INDEX)

    assert response.status_code == 200
    assert b"Import questions" in response.content and b"Export questions" in response.content
    assert b'action="/admin/quizzes/import-export/import/"' in response.content


def test_an_upload_is_checked_with_a_dry_run_then_imported(admin_client, admin_user):
    exam = ExamFactory(code="CCNA")

    preview = upload(admin_client, exam="CCNA")

    assert preview.status_code == 200 and not Question.objects.exists()
    assert preview.context["report"].created == 1
    assert b"To create" in preview.content and b"1 numerical" in preview.content
    token = preview.context["token"]
    assert b"Import 1 question" in preview.content

    response = admin_client.post(RUN, {"token": token})

    page = streamed(response)
    assert "<li>1 of 1 questions processed (100%)</li>" in page and "Created" in page
    question = Question.objects.get()
    assert question.created_by == admin_user and list(question.exams.all()) == [exam]


def test_an_import_runs_once(admin_client):
    token = upload(admin_client).context["token"]
    streamed(admin_client.post(RUN, {"token": token}))

    again = admin_client.post(RUN, {"token": token}, follow=True)

    assert b"already run" in again.content
    assert Question.objects.count() == 1


def test_pending_status_is_applied(admin_client):
    token = upload(admin_client, status="pending").context["token"]
    streamed(admin_client.post(RUN, {"token": token}))

    assert Question.objects.get().status == QuestionStatus.PENDING


def test_a_file_over_the_size_limit_is_refused_clearly(admin_client):
    response = upload(admin_client, content=b"x" * (MAX_FILE_SIZE + 1))

    assert response.status_code == 400
    assert "the limit is 5 MB" in response.content.decode()


def test_a_broken_file_shows_its_errors_with_lines_and_offers_no_import(admin_client):
    response = upload(admin_client, content=b"Fine?{=a ~b}\n\nBroken?{=a ~b\n")

    assert response.status_code == 400 and response.context["token"] is None
    assert "line 3: unbalanced braces" in response.content.decode()
    assert b"Nothing can be imported" in response.content


def test_a_file_that_is_not_text_is_refused(admin_client):
    response = upload(admin_client, content=b"\xff\xfe\x00binary")

    assert response.status_code == 400 and b"not UTF-8 text" in response.content


def test_a_file_name_without_a_known_extension_needs_a_format(admin_client):
    assert upload(admin_client, name="bank.xml").status_code == 400
    assert upload(admin_client, name="bank.xml", format="gift").context["report"].created == 1


def test_export_downloads_the_filtered_questions(admin_client):
    exam, category = ExamFactory(code="CCNA"), CategoryFactory(code="OSPF")
    QuestionFactory(question_text="Wanted?", exams=[exam], categories=[category])
    QuestionFactory(question_text="Pending?", exams=[exam], categories=[category], status=QuestionStatus.PENDING)
    QuestionFactory(question_text="Other exam?", categories=[category])

    response = admin_client.get(EXPORT, {"format": "json", "exam": "CCNA", "category": "OSPF", "status": "active"})

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="certquiz-questions-CCNA-OSPF-active-')
    assert [q["question_text"] for q in json.loads(response.content)["questions"]] == ["Wanted?"]


@pytest.mark.parametrize("file_format, extension", [("gift", ".gift.txt"), ("aiken", ".aiken.txt")])
def test_export_in_moodle_formats(admin_client, file_format, extension):
    QuestionFactory(question_text="Exported?")

    response = admin_client.get(EXPORT, {"format": file_format})

    assert response["Content-Disposition"].endswith(f'{extension}"')
    assert b"Exported?" in response.content


def test_an_unknown_export_format_is_a_form_error(admin_client):
    response = admin_client.get(EXPORT, {"format": "xml"})

    assert response.status_code == 400 and b"Select a valid choice" in response.content


def test_the_question_list_links_to_import_and_export(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/quizzes/question/")
    assert 'href="/admin/quizzes/import-export/"' in response.content.decode()
