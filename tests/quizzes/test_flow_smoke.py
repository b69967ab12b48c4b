from quizzes.models import QuizSession
from tests.helpers.quizzes import correct_option_ids


def test_a_visitor_can_take_a_practice_quiz_without_javascript(client, bank):
    response = client.get("/quiz/start/")
    assert response.status_code == 200
    response = client.post("/quiz/start/", {"count": 3, "mode": "practice"})
    assert response.status_code == 302
    session = QuizSession.objects.get()
    assert session.user.role == "guest"
    for number in range(1, 4):
        page = client.get(f"/quiz/{session.pk}/q/{number}/")
        assert page.status_code == 200
        sq = session.session_questions.get(question_order=number - 1)
        response = client.post(f"/quiz/{session.pk}/q/{number}/answer/", {"option": correct_option_ids(sq)})
        assert response.status_code == 302
        page = client.get(f"/quiz/{session.pk}/q/{number}/")
        assert "✔ Correct" in page.content.decode()
    response = client.post(f"/quiz/{session.pk}/finish/")
    assert response.status_code == 302
    results = client.get(f"/quiz/{session.pk}/results/")
    assert results.status_code == 200
    assert b"3 / 3" in results.content
    assert client.get("/").status_code == 200
    assert client.get("/quiz/history/").status_code == 200
    assert client.get("/bookmarks/").status_code == 200
    assert client.get("/exams/CCNA/").status_code == 200
