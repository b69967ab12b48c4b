from quizzes.factories import CategoryFactory, QuestionFactory
from quizzes.models import Bookmark, QuizSession
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import submit


def test_results_show_score_breakdown_and_a_review_of_every_question(learner_client, learner, ccna, ospf):
    qos = CategoryFactory(code="QOS", name="QoS")
    QuestionFactory.create_batch(2, exams=[ccna], categories=[ospf], explanation="Why OSPF")
    QuestionFactory.create_batch(2, exams=[ccna], categories=[qos], explanation="Why QoS")
    session = start_session(user=learner, count=4).session
    session_questions = list(session.session_questions.select_related("question"))
    for index, sq in enumerate(session_questions):
        option_ids = correct_option_ids(sq) if index < 3 else wrong_option_ids(sq)
        submit(session, sq, option_ids)
    finish_session(session=session)

    response = learner_client.get(f"/quiz/{session.pk}/results/")

    body = response.content.decode()
    assert "3 / 4" in body and "75%" in body
    assert {(row["category"].code, row["total"]) for row in response.context["breakdown"]} == {("OSPF", 2), ("QOS", 2)}
    assert sum(row["correct"] for row in response.context["breakdown"]) == 3
    assert body.count("review-item") == 4
    assert "Why OSPF" in body and "Why QoS" in body
    assert "Your answer" in body and "Correct answer" in body
    assert "Retry mistakes (1)" in body


def test_retry_mistakes_starts_a_session_with_the_wrong_and_unanswered_questions(learner_client, learner, bank):
    session = start_session(user=learner, count=3).session
    first, second, _ = session.session_questions.select_related("question")
    submit(session, first, correct_option_ids(first))
    submit(session, second, wrong_option_ids(second))
    finish_session(session=session)

    response = learner_client.post(f"/quiz/{session.pk}/retry/")

    retry = QuizSession.objects.exclude(pk=session.pk).get()
    assert response["Location"] == f"/quiz/{retry.pk}/q/1/"
    assert set(retry.session_questions.values_list("question_id", flat=True)) == set(
        session.session_questions.exclude(is_correct=True).values_list("question_id", flat=True)
    )


def test_bookmark_toggles_with_htmx_and_plain_posts(learner_client, learner, bank):
    url = f"/questions/{bank[0].pk}/bookmark/"

    response = learner_client.post(url, {"next": "/bookmarks/"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in response.content.decode()
    assert Bookmark.objects.filter(user=learner, question=bank[0]).exists()

    response = learner_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == "/bookmarks/"
    assert not Bookmark.objects.filter(user=learner).exists()


def test_a_premium_question_cannot_be_bookmarked_without_premium(learner_client):
    premium = QuestionFactory(is_premium=True)
    assert learner_client.post(f"/questions/{premium.pk}/bookmark/").status_code == 404


def test_bookmarks_page_lists_only_the_learners_bookmarks_with_filters(learner_client, learner, other_learner, ccna, ospf):
    qos = CategoryFactory(code="QOS", name="QoS")
    ospf_question = QuestionFactory(question_text="OSPF area question", categories=[ospf], exams=[ccna])
    qos_question = QuestionFactory(question_text="QoS marking question", categories=[qos])
    foreign = QuestionFactory(question_text="Someone else's bookmark")
    Bookmark.objects.create(user=learner, question=ospf_question)
    Bookmark.objects.create(user=learner, question=qos_question)
    Bookmark.objects.create(user=other_learner, question=foreign)

    everything = learner_client.get("/bookmarks/").content.decode()
    by_category = learner_client.get("/bookmarks/?category=QOS").content.decode()
    by_exam = learner_client.get("/bookmarks/?exam=CCNA").content.decode()
    by_text = learner_client.get("/bookmarks/?q=marking").content.decode()

    assert "OSPF area question" in everything and "QoS marking question" in everything
    assert "Someone else" not in everything
    assert "QoS marking question" in by_category and "OSPF area question" not in by_category
    assert "OSPF area question" in by_exam and "QoS marking question" not in by_exam
    assert "QoS marking question" in by_text and "OSPF area question" not in by_text


def test_markdown_is_rendered_and_script_is_made_inert(learner_client, learner):
    QuestionFactory(
        question_text='Which **protocol**? <script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))',
        explanation="`code` <iframe src='https://evil.example'></iframe>",
    )
    session = start_session(user=learner, count=1).session
    sq = session.session_questions.select_related("question").get()
    submit(session, sq, correct_option_ids(sq))

    body = learner_client.get(f"/quiz/{session.pk}/q/1/").content.decode()

    assert "<strong>protocol</strong>" in body and "<code>code</code>" in body
    assert "<script>alert" not in body and "onerror" not in body and "javascript:" not in body
    assert "<iframe" not in body
