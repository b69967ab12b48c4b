"""Revision tools: the practice navigator tells right from wrong, the verdict is where an answer
lands, bookmarks filter by exam and category."""

import pytest

from accounts.factories import UserFactory
from quizzes.factories import ExamFactory, QuestionFactory
from quizzes.models import Bookmark
from tests.helpers.quizzes import correct_option_ids, submit, wrong_option_ids


def test_the_practice_navigator_names_each_question_right_wrong_or_not_answered(learner_client, practice_session):
    first, second = practice_session.session_questions.select_related("question").order_by("question_order")[:2]
    submit(session=practice_session, session_question=first, option_ids=correct_option_ids(first))
    submit(session=practice_session, session_question=second, option_ids=wrong_option_ids(second))

    body = learner_client.get(f"/quiz/{practice_session.pk}/q/2/").content.decode()

    assert 'aria-label="Question 1, answered, right"' in body
    assert 'aria-label="Question 2, answered, wrong, current question"' in body
    assert 'aria-label="Question 3, not answered"' in body
    assert "1✔" in body and "2✘" in body  # the mark is shown, not only a colour
    assert "2 answered, 1 right" in body


@pytest.mark.parametrize("bookmark_count", [5, 50])
def test_filtering_bookmarks_costs_the_same_queries_for_5_or_50(client, ccna, ospf, bookmark_count, django_assert_num_queries):
    learner = UserFactory(username="reviser")
    other_exam = ExamFactory(code="ENCOR")
    questions = QuestionFactory.create_batch(bookmark_count, exams=[ccna], categories=[ospf])
    outside = QuestionFactory(question_text="An ENCOR question", exams=[other_exam])
    Bookmark.objects.bulk_create([Bookmark(user=learner, question=q) for q in questions + [outside]])
    client.force_login(learner)
    # 1 django session, 2 user, 3 the chosen exam, 4 the chosen category, 5 count of the filtered
    # bookmarks, 6 exams and 7 categories for the selects, 8 one page of bookmarks with their
    # questions, 9 their correct options, 10 the navigation's count of review cards due
    with django_assert_num_queries(10):
        response = client.get("/bookmarks/", {"exam": "CCNA", "category": "OSPF"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "An ENCOR question" not in body
    assert body.count('class="bookmark-answer"') == min(bookmark_count, 20)
    assert '<label for="filter-exam">Exam</label>' in body and '<label for="filter-category">Category</label>' in body
