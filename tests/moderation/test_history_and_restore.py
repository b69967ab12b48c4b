"""The question history: every change is a version with a diff; an old version can be restored as a
new version, from the service and from the admin."""

import pytest
from django.urls import reverse

from quizzes.factories import CategoryFactory, ExamFactory
from quizzes.models import QuestionHistory, QuestionOption, QuestionStatus, SessionSelectedOption
from quizzes.moderation import services as moderation
from quizzes.services import start_session
from quizzes.services import start_session
from tests.helpers.quizzes import submit


def edit(question, editor, *, text=None, options=None, exams=None, **fields):
    """Change a question the way the admin does: snapshot, write, record."""
    before = moderation.question_snapshot(question.pk)
    for name, value in fields.items():
        setattr(question, name, value)
    if text:
        question.question_text = text
    question.save()
    if options:
        moderation.park_options([key for key, values in options.items() if "display_order" in values])
        for option_id, values in options.items():
            QuestionOption.objects.filter(pk=option_id).update(**values)
    if exams is not None:
        question.exams.set(exams)
    return moderation.record_question_change(question=question, before=before, editor=editor)


def test_versions_count_up_with_each_recorded_change(question, admin_user):
    first = edit(question, admin_user, text="Second wording?")
    second = edit(question, admin_user, explanation="Newer explanation.")
    question.refresh_from_db()
    assert (first.version, second.version, question.version) == (2, 3, 3)
    assert second.changes == {"explanation": {"old": "Because the first options are the right ones.", "new": "Newer explanation."}}


def test_state_at_version_undoes_the_later_changes(question, admin_user):
    option = question.options.get(display_order=0)
    edit(question, admin_user, text="Second wording?", options={option.pk: {"text": "Hello"}})
    edit(question, admin_user, text="Third wording?", tags=["ospf", "hello"])

    v1 = moderation.state_at_version(question, 1)
    v2 = moderation.state_at_version(question, 2)

    assert (v1["question_text"], v1["options"][str(option.pk)]["text"], v1["tags"]) == (
        "Which OSPF packet discovers neighbours?", "Option 1", ["ospf"],
    )
    assert (v2["question_text"], v2["options"][str(option.pk)]["text"], v2["tags"]) == ("Second wording?", "Hello", ["ospf"])


def test_there_is_no_version_0_or_one_after_the_current(question):
    for version in (0, 2):
        with pytest.raises(moderation.RestoreError):
            moderation.state_at_version(question, version)


def test_restoring_brings_back_content_options_and_exams_as_a_new_version(question, admin_user, ccna):
    encor = ExamFactory(code="ENCOR")
    original = moderation.question_snapshot(question.pk)
    first, second = question.options.order_by("display_order")[:2]
    edit(
        question,
        admin_user,
        text="Changed?",
        type="single",
        options={first.pk: {"is_correct": False, "display_order": 1}, second.pk: {"is_correct": True, "display_order": 0}},
        exams=[encor],
    )
    before = moderation.question_snapshot(question.pk)
    QuestionOption.objects.create(question=question, text="Extra", display_order=9)
    QuestionOption.objects.filter(question=question, text="Option 4").delete()
    moderation.record_question_change(question=question, before=before, editor=admin_user)
    question.refresh_from_db()
    assert question.version == 3

    entry = moderation.restore_version(question=question, version=1, editor=admin_user)

    question.refresh_from_db()
    restored = moderation.question_snapshot(question.pk)
    assert entry.version == 4 == question.version
    assert entry.changes["restored_from_version"] == 1
    for field in ("question_text", "type", "exams", "categories", "tags", "options"):
        assert restored[field] == original[field], field
    assert list(question.history.order_by("version").values_list("version", flat=True)) == [2, 3, 4]


def test_restoring_keeps_the_current_status_and_premium(question, admin_user):
    edit(question, admin_user, text="Changed?")
    moderation.update_question(question=question, editor=admin_user, status=QuestionStatus.ARCHIVED, is_premium=True)
    moderation.restore_version(question=question, version=1, editor=admin_user)
    question.refresh_from_db()
    assert (question.question_text, question.status, question.is_premium) == (
        "Which OSPF packet discovers neighbours?", QuestionStatus.ARCHIVED, True,
    )


def test_restoring_the_current_version_changes_nothing(question, admin_user):
    edit(question, admin_user, text="Changed?")
    assert moderation.restore_version(question=question, version=2, editor=admin_user) is None
    assert QuestionHistory.objects.count() == 1


def test_an_option_learners_chose_is_never_deleted_by_a_restore(question, admin_user, learner):
    before = moderation.question_snapshot(question.pk)
    added = QuestionOption.objects.create(question=question, text="New option", display_order=4)
    moderation.record_question_change(question=question, before=before, editor=admin_user)
    session = start_session(user=learner, count=1).session
    submit(session, session.session_questions.get(), [added.pk])
    assert SessionSelectedOption.objects.filter(option=added).exists()

    with pytest.raises(moderation.RestoreError, match="New option"):
        moderation.restore_version(question=question, version=1, editor=admin_user)
    assert QuestionOption.objects.filter(pk=added.pk).exists()


def test_a_removed_category_comes_back_on_restore(question, admin_user, ospf):
    bgp = CategoryFactory(code="BGP")
    before = moderation.question_snapshot(question.pk)
    question.categories.set([bgp])
    moderation.record_question_change(question=question, before=before, editor=admin_user)
    moderation.restore_version(question=question, version=1, editor=admin_user)
    assert list(question.categories.all()) == [ospf]


def test_the_admin_previews_then_restores_a_version(staff_client, admin_user, question):
    edit(question, admin_user, text="Changed?")
    url = reverse("admin:quizzes_question_restore", args=[question.pk, 1])

    preview = staff_client.get(url)
    assert preview.status_code == 200
    assert "Changed?" in preview.text and "Which OSPF packet discovers neighbours?" in preview.text
    question.refresh_from_db()
    assert question.question_text == "Changed?"

    response = staff_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quizzes_question_change", args=[question.pk])
    question.refresh_from_db()
    assert (question.question_text, question.version) == ("Which OSPF packet discovers neighbours?", 3)
    assert QuestionHistory.objects.get(version=3).edited_by == admin_user


def test_the_admin_says_so_when_a_version_does_not_exist(staff_client, question):
    response = staff_client.get(reverse("admin:quizzes_question_restore", args=[question.pk, 7]), follow=True)
    assert "There is no version 7" in response.text


def test_the_history_admin_reads_old_and_new_diff_formats(staff_client, question, admin_user):
    old_style = QuestionHistory.objects.create(question=question, version=5, changes={"question_text": ["Old?", "New?"]}, edited_by=admin_user)
    entry = edit(question, admin_user, text="Newer?")
    for row in (old_style, entry):
        assert staff_client.get(reverse("admin:quizzes_questionhistory_change", args=[row.pk])).status_code == 200
