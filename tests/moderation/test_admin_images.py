"""Exhibit images uploaded in the admin: checked by content and size, stored through the default
storage under questions/<id>/, listed in questions.images, removable, served to the player."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import QuestionHistory
from quizzes.moderation import services as moderation
from tests.helpers.moderation import GIF_1PX, PNG_1PX, change_form_data


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def change_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def upload(client, question, *files, **changes):
    form = client.get(change_url(question))
    assert 'enctype="multipart/form-data"' in form.text
    data = change_form_data(form, **changes)
    if files:
        data["new_images"] = list(files)
    return client.post(change_url(question), data)


def test_images_are_stored_under_the_question_and_listed_in_order(staff_client, question, media_root):
    response = upload(
        staff_client,
        question,
        SimpleUploadedFile("topology.png", PNG_1PX, content_type="image/png"),
        SimpleUploadedFile("show-output.gif", GIF_1PX, content_type="image/gif"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert len(question.images) == 2
    png, gif = question.images
    assert png.startswith(f"questions/{question.pk}/") and png.endswith(".png")
    assert gif.endswith(".gif")
    assert (media_root / png).read_bytes() == PNG_1PX
    assert QuestionHistory.objects.get().changes == {"images": {"old": [], "new": [png, gif]}}


def test_the_type_comes_from_the_content_not_the_name(staff_client, question):
    upload(staff_client, question, SimpleUploadedFile("photo.jpg", PNG_1PX, content_type="image/jpeg"))
    question.refresh_from_db()
    assert question.images[0].endswith(".png")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.png", b"just some text, not an image", "is not a PNG, JPEG, GIF or WebP image"),
        ("page.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "is not a PNG, JPEG, GIF or WebP image"),
        ("huge.png", PNG_1PX + b"\0" * (2 * 1024 * 1024), "is larger than 2 MB"),
    ],
    ids=["text", "svg", "over 2 MB"],
)
def test_other_files_are_refused(staff_client, question, media_root, name, content, message):
    response = upload(staff_client, question, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["new_images"])
    question.refresh_from_db()
    assert question.images == []
    assert not list(media_root.rglob("*.*"))


def test_a_damaged_image_is_refused_when_pillow_can_read_it():
    pytest.importorskip("PIL")
    with pytest.raises(ValidationError, match="could not be read"):
        moderation.exhibit_extension(SimpleUploadedFile("cut.png", PNG_1PX[:40]))


def test_an_image_is_removed_from_the_question_and_the_history_keeps_its_file(staff_client, question, media_root):
    upload(staff_client, question, SimpleUploadedFile("a.png", PNG_1PX), SimpleUploadedFile("b.gif", GIF_1PX))
    question.refresh_from_db()
    kept, removed = question.images

    form = staff_client.get(change_url(question))
    assert f'value="{removed}"' in form.text
    response = staff_client.post(change_url(question), change_form_data(form, remove_images=[removed]))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.images == [kept]
    assert (media_root / removed).exists()
    assert question.version == 3


def test_stored_images_are_served_and_shown_in_the_player(client, learner_client, learner, question):
    moderation.change_images(question=question, add=[SimpleUploadedFile("a.png", PNG_1PX)])
    path = question.images[0]

    response = client.get(f"/media/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG_1PX

    from quizzes.services import start_session

    session = start_session(user=learner, count=1).session
    player = learner_client.get(reverse("quiz_question", args=[session.pk, 1]))
    assert f'<a href="/media/{path}"><img src="/media/{path}"' in player.text


@pytest.mark.parametrize("path", ["questions/../../etc/passwd", "questions/x/notes.txt", "questions/missing.png"])
def test_only_stored_images_are_served(client, path):
    assert client.get(f"/media/{path}").status_code == 404


def test_default_storage_is_used(question):
    moderation.change_images(question=question, add=[SimpleUploadedFile("a.gif", GIF_1PX)])
    assert default_storage.exists(question.images[0])
