"""Every form and endpoint tried with hostile input: HTML and script in every text field (rendered
inert on every page and in the admin), oversized fields and bodies, wrong types, unknown ids and
other users' ids, Unicode edge cases, NUL bytes, SQL-looking strings, open-redirect targets.

The rule for all of them: the app answers (a 4xx, or a 2xx/3xx when the input is merely odd but
valid), never crashes (5xx), writes nothing it refused and stores exactly what it accepted."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import User
from billing.models import WebhookEvent
from gamification.models import LeaderboardProfile
from quizzes.models import Category, Exam, ProblemReport, Question, QuestionOption, QuizSession
from tests.helpers.security import client_for
from tests.security.html_checks import executable_markup
from tests.security.test_content_security_policy import ADMIN_PAGES, LEARNER_PAGES

XSS = (
    '<script>alert("xss")</script><img src=x onerror=alert(1)><svg/onload=alert(2)>'
    '"\'><a href="javascript:alert(3)">x</a>[md](javascript:alert(4))<iframe src=//evil.example>'
)
SQL = "'; DROP TABLE users; -- \" OR 1=1 /* UNION SELECT password FROM users */"
UNICODE = "R\u202eevil\u202c \u200d👩‍💻 e\u0301\u0301\u0301 𝔘𝔫𝔦 \ufeff中文 עברית \U0010ffff"
NUL = "nul\x00byte"
HUGE = "A" * 100_000
UUID_UNKNOWN = "00000000-0000-4000-8000-000000000000"


# --- HTML and script rendered inert --------------------------------------------------------------


def fill_every_text_field_with_script(world):
    """What learners, admins, importers, an identity provider and Buy Me a Coffee could each type."""
    for question in Question.objects.all():
        question.question_text = f"Question {question.pk}: {XSS}"
        question.explanation = f"Because {XSS}"
        question.tags = [XSS[:50], "ospf"]
        question.created_by_name = XSS
        question.save()
    QuestionOption.objects.update(text=XSS)
    Exam.objects.update(name=XSS, description=XSS)
    Category.objects.update(name=XSS, description=XSS)
    ProblemReport.objects.update(description=XSS, admin_comment=XSS)
    # Usernames: sign-up refuses markup, but an identity provider or an admin may not.
    for key, user in world.users.items():
        User.objects.filter(pk=user.pk).update(username=f"{key}{XSS}")
        user.refresh_from_db()
    LeaderboardProfile.objects.create(user=world.users["learner"], display_name=XSS)
    WebhookEvent.objects.create(
        event_type=XSS, external_event_id=XSS, supporter_email=XSS, status="failed", error=XSS,
        payload={"type": XSS, "data": {"supporter_name": XSS, "supporter_email": XSS, "support_note": XSS}},
    )


MORE_ADMIN_PAGES = {
    "problem reports": lambda w: reverse("admin:quizzes_problemreport_changelist"),
    "question history": lambda w: reverse("admin:quizzes_questionhistory_changelist"),
    "subscriptions": lambda w: reverse("admin:billing_subscription_changelist"),
    "webhook event": lambda w: reverse("admin:billing_webhookevent_change", args=[WebhookEvent.objects.get(status="failed").pk]),
    "progress": lambda w: reverse("admin:gamification_userprogress_changelist"),
    "leaderboard": lambda w: reverse("admin:gamification_leaderboardprofile_changelist"),
    "exams": lambda w: reverse("admin:quizzes_exam_changelist"),
    "categories": lambda w: reverse("admin:quizzes_category_changelist"),
    "submission": lambda w: reverse("admin:quizzes_question_change", args=[w.submission.pk]),
    "sessions": lambda w: reverse("admin:quizzes_quizsession_changelist"),
    "search": lambda w: reverse("admin:quizzes_question_changelist") + "?q=%3Cscript%3E",
}


def test_html_and_script_in_every_text_field_is_rendered_inert_on_every_page_and_in_the_admin(world):
    fill_every_text_field_with_script(world)
    pages = [("learner", label, url) for label, url in LEARNER_PAGES.items()]
    pages += [("learner", "report dialog (htmx)", lambda w: reverse("report_problem", args=[w.question.pk]))]
    pages += [("admin", label, url) for label, url in {**ADMIN_PAGES, **MORE_ADMIN_PAGES}.items()]
    seen_escaped = set()
    for persona, label, url in pages:
        client = client_for(persona, world)
        headers = {"HX-Request": "true"} if "htmx" in label else {}
        response = client.get(url(world), headers=headers)
        assert response.status_code in (200, 409), (label, response.status_code)
        html = response.content.decode()
        found = executable_markup(html)
        assert not found, f"{persona} {label}: {found[:3]}"
        if "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html:
            seen_escaped.add(label)
    # The payload did reach the pages, shown as text: in the nav (username) and in the admin.
    assert {"account", "my reports", "users", "report queue", "webhook event"} <= seen_escaped, seen_escaped


def test_markdown_keeps_its_formatting_and_loses_its_script(world):
    Question.objects.filter(pk=world.question.pk).update(
        question_text='**bold** <b onclick="x()">b</b> [link](https://example.com) [bad](javascript:alert(1))'
        " <script>x()</script>"
    )
    html = client_for("learner", world).get(reverse("quiz_question", args=[world.session.pk, 1])).content.decode()
    html += client_for("learner", world).get(reverse("quiz_question", args=[world.session.pk, 2])).content.decode()
    html += client_for("learner", world).get(reverse("quiz_question", args=[world.session.pk, 3])).content.decode()
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert executable_markup(html) == []


# --- Hostile requests: never a crash, nothing half written -------------------------------------


def session_url(world, name, *more):
    return reverse(name, args=[world.session.pk, *more])


def other_question_option(world):
    """An option that exists, but of a question outside this quiz."""
    in_quiz = world.session.session_questions.values("question_id")
    return str(QuestionOption.objects.exclude(question_id__in=in_quiz).first().pk)


# (label, persona, method, url, data, allowed statuses). Data may be a function of the world.
REQUESTS = [
    # Starting a quiz: wrong types, out-of-range numbers, unknown codes, oversized tags.
    *[
        (f"quiz start {label}", "learner", "post", lambda w: reverse("quiz_start"), data, {422})
        for label, data in [
            ("count text", {"count": "ten", "mode": "practice"}),
            ("count negative", {"count": "-5", "mode": "practice"}),
            ("count huge", {"count": "9" * 40, "mode": "practice"}),
            ("count float", {"count": "1e3", "mode": "practice"}),
            ("mode unknown", {"count": "2", "mode": "god"}),
            ("exam unknown", {"count": "2", "mode": "practice", "exam": SQL}),
            ("exam script", {"count": "2", "mode": "practice", "exam": XSS}),
            ("category NUL", {"count": "2", "mode": "practice", "category": NUL}),
            ("tags huge", {"count": "2", "mode": "practice", "tags": HUGE}),
            ("tags NUL", {"count": "2", "mode": "practice", "tags": NUL}),
            ("time limit text", {"count": "2", "mode": "exam", "time_limit_minutes": "forever"}),
            ("time limit huge", {"count": "2", "mode": "exam", "time_limit_minutes": "9" * 30}),
            ("nothing", {}),
        ]
    ],
    ("quiz start SQL and Unicode tags", "learner", "post", lambda w: reverse("quiz_start"),
     {"count": "2", "mode": "practice", "tags": f"{SQL},{UNICODE}"}, {422}),  # no question has them
    ("quiz start page with hostile initial values", "learner", "get",
     lambda w: reverse("quiz_start") + "?exam=%00&category=%3Cscript%3E&mode=' OR 1=1&tags=" + "x" * 5000, {}, {400}),
    ("quiz start page with hostile initial values, no NUL", "learner", "get",
     lambda w: reverse("quiz_start") + "?exam=%3C&category=%3Cscript%3E&mode=' OR 1=1&tags=" + "x" * 5000, {}, {200}),
    # Answering: unknown, malformed, foreign and repeated option ids.
    *[
        (f"answer {label}", "learner", "post", lambda w: session_url(w, "quiz_answer", 2), data, {422})
        for label, data in [
            ("none", {}),
            ("not a uuid", {"option": "abc"}),
            ("SQL", {"option": SQL}),
            ("NUL", {"option": NUL}),
            ("unknown uuid", {"option": UUID_UNKNOWN}),
            ("huge", {"option": HUGE}),
            ("of another question", lambda w: {"option": other_question_option(w)}),
            ("many options on a single-answer question", lambda w: {"option": [
                str(o.pk) for o in w.session.session_questions.get(question_order=1).question.options.all()]}),
        ]
    ],
    ("answer number 0", "learner", "post", lambda w: session_url(w, "quiz_answer", 0), {"option": "x"}, {404}),
    ("answer number huge", "learner", "post", lambda w: session_url(w, "quiz_answer", 10**12), {"option": "x"}, {404}),
    ("question number huge", "learner", "get", lambda w: session_url(w, "quiz_question", 2**63), {}, {404}),
    ("unknown quiz", "learner", "get", lambda w: reverse("quiz_question", args=[UUID_UNKNOWN, 1]), {}, {404}),
    ("another learner's quiz", "other", "post", lambda w: session_url(w, "quiz_answer", 2), {"option": "x"}, {404}),
    ("another learner's results", "other", "get", lambda w: reverse("quiz_results", args=[w.finished.pk]), {}, {404}),
    ("another learner's retry", "other", "post", lambda w: reverse("quiz_retry_mistakes", args=[w.finished.pk]), {}, {404}),
    # Bookmarks and lists: hostile search, filters and page numbers.
    *[
        (f"bookmarks {label}", "learner", "get", lambda w, q=query: reverse("bookmarks") + q, {}, {200})
        for label, query in [
            ("search SQL", "?q=%27%3B%20DROP%20TABLE%20bookmarks%3B--"),
            ("search huge", "?q=" + "x" * 10_000),
            ("search Unicode", "?q=%E2%80%AE%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB"),
            ("category SQL", "?category=%27%20OR%201%3D1"),
            ("page text", "?page=last%27"),
            ("page huge", "?page=" + "9" * 30),
            ("page negative", "?page=-1"),
        ]
    ],
    ("history page huge", "learner", "get", lambda w: reverse("history") + "?page=" + "9" * 30, {}, {200}),
    ("my reports page NUL", "learner", "get", lambda w: reverse("my_reports") + "?page=%00", {}, {400}),
    ("bookmark unknown question", "learner", "post", lambda w: reverse("bookmark_toggle", args=[UUID_UNKNOWN]), {}, {404}),
    ("bookmark premium question without premium", "learner", "post",
     lambda w: reverse("bookmark_toggle", args=[w.premium_question.pk]), {}, {404}),
    # Path parameters that are text.
    ("exam code SQL", "anonymous", "get", lambda w: "/exams/%27%20OR%201%3D1--/", {}, {404}),
    ("exam code Unicode", "anonymous", "get", lambda w: "/exams/%E2%80%AEevil/", {}, {404}),
    ("exam code huge", "anonymous", "get", lambda w: "/exams/" + "x" * 5000 + "/", {}, {404}),
    ("exhibit traversal", "anonymous", "get", lambda w: "/media/questions/../../certquiz/settings.py", {}, {404}),
    ("exhibit encoded traversal", "anonymous", "get", lambda w: "/media/questions/%2e%2e/%2e%2e/etc/passwd.png", {}, {404}),
    ("exhibit NUL", "anonymous", "get", lambda w: "/media/questions/a%00.png", {}, {400}),
    # Reporting a problem.
    *[
        (f"report {label}", "learner", "post", lambda w: reverse("report_problem", args=[w.question.pk]), data, {422})
        for label, data in [
            ("oversized", {"type": "error", "description": HUGE}),
            ("unknown type", {"type": "<script>", "description": "x"}),
            ("NUL", {"type": "error", "description": NUL}),
            ("empty", {"type": "error", "description": "   "}),
        ]
    ],
    ("report unknown question", "learner", "post", lambda w: reverse("report_problem", args=[UUID_UNKNOWN]),
     {"type": "error", "description": "x"}, {404}),
    ("report premium question without premium", "learner", "get",
     lambda w: reverse("report_problem", args=[w.premium_question.pk]), {}, {404}),
    # Submitting a question: oversized, wrong types, tampered formset counts.
    *[
        (f"submit {label}", "learner", "post", lambda w: reverse("submit_question"), data, {422})
        for label, data in [
            ("oversized", {"question_text": HUGE, "type": "single", "explanation": HUGE, "tags": HUGE,
                           "options-TOTAL_FORMS": "2", "options-INITIAL_FORMS": "0",
                           "options-0-text": HUGE, "options-0-is_correct": "on", "options-1-text": "b"}),
            ("type unknown", {"question_text": "q", "type": "essay", "explanation": "e", "exams": "x",
                              "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0"}),
            ("exam ids wrong", {"question_text": "q", "type": "single", "explanation": "e", "exams": [SQL, NUL, XSS],
                                "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0"}),
            ("formset count huge", {"question_text": "q", "type": "single", "explanation": "e",
                                    "options-TOTAL_FORMS": "100000000", "options-INITIAL_FORMS": "0"}),
            ("formset count text", {"question_text": "q", "type": "single", "explanation": "e",
                                    "options-TOTAL_FORMS": "many", "options-INITIAL_FORMS": "x"}),
            ("no management form", {"question_text": "q", "type": "single", "explanation": "e"}),
            ("NUL", {"question_text": NUL, "type": "single", "explanation": NUL,
                     "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0"}),
        ]
    ],
    # Accounts and settings.
    ("time zone unknown", "learner", "post", lambda w: reverse("account"), {"time_zone": "../../etc/localtime"}, {200}),
    ("time zone huge", "learner", "post", lambda w: reverse("account"), {"time_zone": HUGE}, {200}),
    ("premium email script", "learner", "post", lambda w: reverse("premium"), {"email": XSS}, {422}),
    ("premium email huge", "learner", "post", lambda w: reverse("premium"), {"email": "a" * 100_000 + "@example.com"}, {422}),
    ("premium email NUL", "learner", "post", lambda w: reverse("premium"), {"email": "a\x00@example.com"}, {422}),
    # Another learner's email is answered like any email (tests/billing/test_premium_page.py).
    ("leaderboard name script", "learner", "post", lambda w: reverse("dashboard_leaderboard"),
     {"show_me": "on", "display_name": XSS}, {422}),
    ("leaderboard name huge", "learner", "post", lambda w: reverse("dashboard_leaderboard"),
     {"show_me": "on", "display_name": HUGE}, {422}),
    ("leaderboard name NUL", "learner", "post", lambda w: reverse("dashboard_leaderboard"),
     {"show_me": "on", "display_name": NUL}, {422}),
    ("login huge", "anonymous", "post", lambda w: reverse("account_login"), {"login": HUGE, "password": HUGE}, {200}),
    ("login NUL", "anonymous", "post", lambda w: reverse("account_login"), {"login": NUL, "password": NUL}, {200}),
    ("login SQL", "anonymous", "post", lambda w: reverse("account_login"), {"login": SQL, "password": SQL}, {200}),
    ("signup huge", "anonymous", "post", lambda w: reverse("account_signup"),
     {"email": HUGE, "username": HUGE, "password1": HUGE, "password2": HUGE}, {200}),
    ("signup NUL", "anonymous", "post", lambda w: reverse("account_signup"),
     {"email": "n\x00@example.com", "username": NUL, "password1": NUL, "password2": NUL}, {200}),
    ("signup taken username in other case", "anonymous", "post", lambda w: reverse("account_signup"),
     {"email": "y@example.com", "username": "ALICE", "password1": "long-passphrase-1", "password2": "long-passphrase-1"}, {200}),
    # The webhook: wrong types, oversized bodies (its payload handler has property tests).
    ("webhook not JSON", "anonymous", "post", lambda w: reverse("bmac_webhook"), b"\xff\xfe not json", {401}),
    ("webhook form data", "anonymous", "post", lambda w: reverse("bmac_webhook"), {"event_id": "1"}, {401}),
    ("healthz hostile query", "anonymous", "get", lambda w: "/healthz?x=%00&y=" + "z" * 5000, {}, {400}),
    # PostgreSQL refuses NUL in text: a NUL in the address is a 400 from RejectNulMiddleware.
    ("bookmarks search NUL", "learner", "get", lambda w: reverse("bookmarks") + "?q=a%00b", {}, {400}),
    ("bookmarks exam NUL", "learner", "get", lambda w: reverse("bookmarks") + "?exam=%00", {}, {400}),
    ("exam code NUL", "anonymous", "get", lambda w: "/exams/a%00b/", {}, {400}),
    ("weak area NUL", "learner", "post", lambda w: "/dashboard/practice/a%00b/", {}, {400}),
]


def send(client, method, url, data):
    if method == "get":
        return client.get(url)
    if isinstance(data, bytes):
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def row_counts() -> dict:
    with connection.cursor() as cursor:
        counts = {}
        for table in ["users", "questions", "question_options", "problem_reports", "quiz_sessions",
                      "session_selected_options", "bookmarks", "leaderboard_profiles", "webhook_events"]:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.mark.parametrize(
    "label,persona,method,url,data,allowed",
    [pytest.param(*request, id=request[0]) for request in REQUESTS],
)
def test_a_hostile_request_is_answered_without_a_crash_and_writes_nothing(world, label, persona, method, url, data, allowed):
    before = row_counts()
    if callable(data):
        data = data(world)
    response = send(client_for(persona, world), method, url(world), data)
    assert response.status_code in allowed, (label, response.status_code, response.content[:500])
    after = row_counts()
    assert after == before, f"{label} wrote: {dict(set(after.items()) - set(before.items()))}"


def test_an_oversized_body_is_refused_before_it_is_read(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client = client_for("learner", world)
    big = "x" * 200_000
    report = client.post(reverse("report_problem", args=[world.question.pk]), {"type": "error", "description": big})
    assert report.status_code == 400
    assert client.post(reverse("bmac_webhook"), big.encode(), content_type="application/json").status_code == 400
    assert not ProblemReport.objects.filter(description=big).exists()


OFF_SITE = ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "\\\\evil.example", "/\\evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_parameters_never_leave_the_site(world, target):
    client = client_for("learner", world)
    bookmark = client.post(reverse("bookmark_toggle", args=[world.question.pk]), {"next": target})
    report = client.post(reverse("report_problem", args=[world.question.pk]),
                         {"type": "error", "description": "Off-site next", "next": target})
    for response in (bookmark, report):
        assert response.status_code == 302
        assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))


@pytest.mark.parametrize("text", [SQL, UNICODE, XSS, "Ω" * 2000], ids=["SQL", "Unicode", "markup", "longest"])
def test_odd_but_valid_text_is_stored_exactly_as_typed(world, text):
    client = client_for("learner", world)
    response = client.post(reverse("report_problem", args=[world.question.pk]), {"type": "unclear", "description": text})
    assert response.status_code == 302
    stored = ProblemReport.objects.get(question=world.question, reporter=world.users["learner"])
    assert stored.description == text.strip()
    page = client.get(reverse("my_reports")).content.decode()
    assert executable_markup(page) == []
    assert User.objects.filter(username="alice").exists()  # and the users table is still there


def test_a_username_with_markup_is_refused_at_sign_up(db):
    from django.test import Client

    for username in (XSS, XSS[:150]):  # refused for its length, and within the length for its characters
        response = Client().post(reverse("account_signup"), {"email": "x@example.com", "username": username,
                                                             "password1": "long-passphrase-1", "password2": "long-passphrase-1"})
        assert response.status_code == 200
        assert ("Enter a valid username" if len(username) <= 150 else "at most 150 characters") in response.content.decode()
        assert not User.objects.filter(email="x@example.com").exists()


def test_a_username_with_markup_made_elsewhere_is_shown_as_text(db):
    """An older account (or one made in the admin) with markup in its name renders it as text."""
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(username=XSS, email="x@example.com"))
    for url in [reverse("account"), "/", reverse("dashboard")]:
        page = client.get(url).content.decode()
        assert executable_markup(page) == [], url
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in client.get(reverse("account")).content.decode()


def test_a_unicode_username_signs_up_and_is_shown_as_typed(db):
    from django.test import Client

    client = Client()
    name = "Zoë_Ωmega_学生"
    response = client.post(reverse("account_signup"), {"email": "zoe@example.com", "username": name,
                                                        "password1": "long-passphrase-1", "password2": "long-passphrase-1"})
    assert response.status_code == 302
    assert name in client.get(reverse("account")).content.decode()


def test_sql_looking_search_finds_nothing_and_breaks_nothing(world):
    client = client_for("learner", world)
    response = client.get(reverse("bookmarks"), {"q": "%' OR '1'='1"})
    assert response.status_code == 200
    assert Question.objects.count() >= 5  # tables intact
    assert QuizSession.objects.filter(pk=world.session.pk).exists()


def test_the_import_page_refuses_garbage_without_a_crash(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("admin", world)
    before = row_counts()
    for name, content in [("q.json", b"\xff\xfe\x00garbage"), ("q.json", json.dumps({"questions": [XSS]}).encode()),
                          ("q.txt", b"\x00" * 1000), ("q.exe", b"MZ"), ("q.gift", (XSS * 100).encode())]:
        response = client.post(reverse("importexport:import_preview"), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code in (200, 400), (name, response.status_code)
        assert executable_markup(response.content.decode()) == [], name
    assert row_counts() == before
