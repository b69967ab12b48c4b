"""The question change form in the admin, through real HTTP posts with the inline formsets."""

import pytest
from django.urls import reverse

from quizzes.factories import ExamFactory, QuestionFactory
from quizzes.models import Question, QuestionHistory, QuestionType
from tests.helpers.moderation import change_form_data


def change_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def post_change(client, question, **changes):
    form = client.get(change_url(question))
    assert form.status_code == 200
    return client.post(change_url(question), change_form_data(form, **changes))


def errors_of(response):
    """Every error message on the re-rendered change form, main form and inlines."""
    messages = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        messages += [inline.formset.non_form_errors()] + [form.errors for form in inline.formset.forms]
    return str(messages)


def test_saving_unchanged_writes_no_history(staff_client, question):
    response = post_change(staff_client, question)
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.version == 1
    assert not QuestionHistory.objects.exists()


def test_an_edit_of_the_question_and_an_option_writes_one_history_row(staff_client, admin_user, question):
    response = post_change(
        staff_client, question, question_text="Which OSPF packet type finds neighbours?", **{"options-1-text": "LSU packet"}
    )
    assert response.status_code == 302, errors_of(response)

    question.refresh_from_db()
    assert question.version == 2
    entry = QuestionHistory.objects.get()
    assert (entry.version, entry.edited_by) == (2, admin_user)
    assert entry.changes["question_text"] == {
        "old": "Which OSPF packet discovers neighbours?", "new": "Which OSPF packet type finds neighbours?",
    }
    option = question.options.get(display_order=1)
    assert entry.changes["options"] == {
        "changed": [{"id": str(option.pk), "text": "LSU packet", "changes": {"text": {"old": "Option 2", "new": "LSU packet"}}}]
    }


def test_tags_are_edited_as_comma_separated_text(staff_client, question):
    form = staff_client.get(change_url(question))
    assert 'name="tags" value="ospf"' in form.text
    response = staff_client.post(change_url(question), change_form_data(form, tags="OSPF, LSA types,, ospf"))
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.tags == ["ospf", "lsa types"]
    assert QuestionHistory.objects.get().changes["tags"] == {"old": ["ospf"], "new": ["ospf", "lsa types"]}


def test_a_single_answer_question_needs_exactly_one_correct_option(staff_client, question):
    response = post_change(staff_client, question, **{"options-1-is_correct": "on"})
    assert response.status_code == 200
    assert "exactly one correct option (this one has 2)" in errors_of(response)
    assert question.options.filter(is_correct=True).count() == 1
    assert not QuestionHistory.objects.exists()


def test_switching_to_multiple_needs_two_correct_options(staff_client, question):
    response = post_change(staff_client, question, type=QuestionType.MULTIPLE)
    assert response.status_code == 200
    assert "at least two correct options" in errors_of(response)

    response = post_change(staff_client, question, type=QuestionType.MULTIPLE, **{"options-1-is_correct": "on"})
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.type == QuestionType.MULTIPLE


def test_a_multiple_answer_question_needs_a_wrong_option(staff_client, ccna):
    question = QuestionFactory(type=QuestionType.MULTIPLE, options__count=3, options__correct=2, exams=[ccna])
    response = post_change(staff_client, question, **{"options-2-is_correct": "on"})
    assert response.status_code == 200
    assert "at least one wrong option" in errors_of(response)


def test_display_orders_are_unique(staff_client, question):
    response = post_change(staff_client, question, **{"options-1-display_order": "0"})
    assert response.status_code == 200
    assert "duplicate data for display_order" in errors_of(response)


def test_two_options_can_swap_their_display_orders(staff_client, question):
    first, second = question.options.order_by("display_order")[:2]
    response = post_change(staff_client, question, **{"options-0-display_order": "1", "options-1-display_order": "0"})
    assert response.status_code == 302, errors_of(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.display_order, second.display_order) == (1, 0)
    changed = {item["id"]: item["changes"] for item in QuestionHistory.objects.get().changes["options"]["changed"]}
    assert changed[str(first.pk)] == {"display_order": {"old": 0, "new": 1}}


def test_an_added_option_without_an_order_goes_last_and_a_deleted_one_is_recorded(staff_client, question):
    form = staff_client.get(change_url(question))
    data = change_form_data(
        form,
        **{
            "options-TOTAL_FORMS": "5",
            "options-4-text": "Hello packet",
            "options-4-display_order": "",
            "options-4-question": str(question.pk),
            "options-3-DELETE": "on",
        },
    )
    response = staff_client.post(change_url(question), data)
    assert response.status_code == 302, errors_of(response)
    assert list(question.options.values_list("text", "display_order")) == [
        ("Option 1", 0), ("Option 2", 1), ("Option 3", 2), ("Hello packet", 3),
    ]
    options = QuestionHistory.objects.get().changes["options"]
    assert [item["text"] for item in options["added"]] == ["Hello packet"]
    assert [item["text"] for item in options["removed"]] == ["Option 4"]


def test_exams_and_categories_are_edited_inline_and_recorded(staff_client, question):
    encor = ExamFactory(code="ENCOR")
    response = post_change(
        staff_client,
        question,
        **{"questionexam_set-TOTAL_FORMS": "2", "questionexam_set-1-exam": str(encor.pk), "questionexam_set-1-question": str(question.pk)},
    )
    assert response.status_code == 302, errors_of(response)
    assert set(question.exams.values_list("code", flat=True)) == {"CCNA", "ENCOR"}
    assert QuestionHistory.objects.get().changes["exams"] == {"old": ["CCNA"], "new": ["CCNA", "ENCOR"]}


def test_the_history_is_shown_on_the_question_page(staff_client, question):
    post_change(staff_client, question, question_text="Reworded?")
    response = staff_client.get(change_url(question))
    assert "Reworded?" in response.text
    assert "Restore version 1 (before this change)" in response.text
    assert reverse("admin:quizzes_question_restore", args=[question.pk, 1]) in response.text


def test_a_new_question_is_added_with_its_options_as_version_1(staff_client, admin_user, ccna):
    add_url = reverse("admin:quizzes_question_add")
    form = staff_client.get(add_url)
    data = change_form_data(
        form,
        question_text="New?", type="single", explanation="Because.", status="active",
        **{
            "options-TOTAL_FORMS": "2",
            "options-0-text": "Yes", "options-0-is_correct": "on", "options-0-display_order": "0",
            "options-1-text": "No", "options-1-display_order": "1",
        },
    )
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get(question_text="New?")
    assert question.created_by == admin_user and question.version == 1
    assert question.options.count() == 2
    assert not QuestionHistory.objects.exists()


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_question_admin_pages_answer(staff_client, question, view):
    assert staff_client.get(reverse(f"admin:quizzes_question_{view}")).status_code == 200


def test_two_options_cannot_say_the_same_thing(staff_client, question):
    response = post_change(staff_client, question, **{"options-2-text": " option   1 "})
    assert response.status_code == 200
    assert "Each option needs a different text" in errors_of(response)


def test_a_question_keeps_at_least_two_options(staff_client, question):
    response = post_change(staff_client, question, **{f"options-{n}-DELETE": "on" for n in (1, 2, 3)})
    assert response.status_code == 200
    assert "at least two options" in errors_of(response)
    assert question.options.count() == 4
