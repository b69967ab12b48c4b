import itertools

import pytest
from django.utils import timezone
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import User
from billing.models import Payment, Subscription, WebhookEvent
from gamification.models import Badge, DailyActivity, ExamReadiness, ReviewCard, UserBadge, UserProgress
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import (
    Bookmark,
    Category,
    Exam,
    ProblemReport,
    Question,
    QuestionHistory,
    QuestionStats,
    QuizSession,
    SessionSelectedOption,
)

# admin_client is pytest-django's: a client signed in (force_login) as conftest's admin_user.

VIEW_ONLY = {QuestionHistory, QuestionStats, WebhookEvent, Payment, DailyActivity, ReviewCard, ExamReadiness}
REGISTERED = list(admin.site._registry)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)



def app_models(label):
    return apps.get_app_config(label).get_models()


def test_every_model_of_ours_is_in_the_admin_directly_or_as_an_inline():
    inlines = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    ours = {model for app in ["accounts", "quizzes", "gamification", "billing"] for model in app_models(app)}
    assert ours - set(admin.site._registry) - inlines == set()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_answers_200(admin_client, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_page_answers_200_except_for_view_only_records(admin_client, model):
    expected = 403 if model in VIEW_ONLY else 200
    assert admin_client.get(url(model, "add")).status_code == expected


names = itertools.count()


def make_question():
    return QuestionFactory(exams=[ExamFactory()], categories=[CategoryFactory()])


def make_session():
    return QuizSession.objects.create(
        user=UserFactory(), exam=ExamFactory(), category=CategoryFactory(), question_count=1
    )


def make_badge():
    return Badge.objects.create(
        name=f"Badge {next(names)}", description="Answer questions", icon="star", category="progress",
        requirement_type="questions_solved", requirement_value=10,
    )


MAKE_ROW = {
    User: UserFactory,
    Exam: ExamFactory,
    Category: CategoryFactory,
    Question: make_question,
    QuizSession: make_session,
    SessionSelectedOption: lambda: SessionSelectedOption.objects.create(
        session=make_session(), question=(question := QuestionFactory()), option=question.options.first()
    ),
    Bookmark: lambda: Bookmark.objects.create(user=UserFactory(), question=QuestionFactory()),
    ProblemReport: lambda: ProblemReport.objects.create(
        question=QuestionFactory(), reporter=UserFactory(), reviewed_by=UserFactory(role="admin"),
        type="error", description="The second option is also right", status="accepted",
    ),
    QuestionHistory: lambda: QuestionHistory.objects.create(
        question=QuestionFactory(), version=1, changes={"question_text": ["Old?", "New?"]}, edited_by=UserFactory()
    ),
    QuestionStats: lambda: QuestionStats.objects.create(
        question=QuestionFactory(), attempts=3, facility=2 / 3, discrimination=0.4, computed_at=timezone.now(),
        option_shares=[{"option": "x", "text": "Option 1", "is_correct": True, "share": 0.6, "strong": 1,
                        "strong_share": 1.0}],
    ),
    UserProgress: lambda: UserProgress.objects.create(user=UserFactory()),
    Badge: make_badge,
    UserBadge: lambda: UserBadge.objects.create(user=UserFactory(), badge=make_badge()),
    DailyActivity: lambda: DailyActivity.objects.create(user=UserFactory(), day="2025-03-03", answered=2, correct=1),
    ReviewCard: lambda: ReviewCard.objects.create(
        user=UserFactory(), question=QuestionFactory(), state=2, stability=2.3, difficulty=5.0, due="2025-03-05T12:00Z"
    ),
    ExamReadiness: lambda: ExamReadiness.objects.create(user=UserFactory(), exam=ExamFactory(), score=40, answered=4),
    Subscription: lambda: Subscription.objects.create(
        user=UserFactory(), buy_me_a_coffee_email=f"fan{next(names)}@example.com"
    ),
    WebhookEvent: lambda: WebhookEvent.objects.create(
        event_type="donation.created", external_event_id=f"evt_{next(names)}",
        payload={"supporter_email": "fan@example.com"},
    ),
    Payment: lambda: Payment.objects.create(
        key=f"donation:{next(names)}", user=UserFactory(),
        credited_by=WebhookEvent.objects.create(event_type="donation.created", external_event_id=f"evt_{next(names)}", payload={}),
    ),
}


@pytest.mark.parametrize("model", MAKE_ROW, ids=lambda model: model._meta.label)
def test_changelist_with_rows_runs_the_same_queries_for_more_rows(admin_client, model):
    """A fixed number of queries whatever the number of rows: no query per row."""
    changelist = url(model, "changelist")
    MAKE_ROW[model]()
    admin_client.get(changelist)  # warm up the session and content type caches
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(changelist).status_code == 200
    for _ in range(3):
        MAKE_ROW[model]()
    with CaptureQueriesContext(connection) as more:
        response = admin_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count() >= 4
    assert len(more) == len(few), [query["sql"] for query in more]


@pytest.mark.parametrize("model", MAKE_ROW, ids=lambda model: model._meta.label)
def test_change_page_answers_200(admin_client, model):
    row = MAKE_ROW[model]()
    assert admin_client.get(url(model, "change", row.pk)).status_code == 200


def test_question_change_page_shows_its_options_and_links(admin_client):
    exam, category = ExamFactory(name="Cisco CCNA"), CategoryFactory(name="OSPF")
    question = QuestionFactory(exams=[exam], categories=[category], options__count=3)
    response = admin_client.get(url(Question, "change", question.pk))
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 3
    assert "Cisco CCNA" in response.text
    assert "OSPF" in response.text


def test_quiz_session_questions_are_shown_read_only(admin_client):
    question = QuestionFactory(question_text="Which protocol is link-state?")
    session = make_session()
    session.session_questions.create(question=question, question_order=0)
    response = admin_client.get(url(QuizSession, "change", session.pk))
    assert "Which protocol is link-state?" in response.text
    assert 'name="session_questions-0-question"' not in response.text


def test_user_change_page_shows_the_password_hash_read_only(admin_client, learner):
    response = admin_client.get(url(User, "change", learner.pk))
    assert response.status_code == 200
    assert 'name="password"' not in response.text
    assert learner.password not in response.text
    assert 'href="../password/"' in response.text


def test_admin_sets_a_learners_password_through_the_password_form(admin_client, learner):
    password_url = reverse("admin:accounts_user_password_change", args=[learner.pk])
    assert admin_client.get(password_url).status_code == 200
    response = admin_client.post(
        password_url, {"usable_password": "true", "password1": "new-staple-battery", "password2": "new-staple-battery"}
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("new-staple-battery")


def test_admin_adds_a_user_with_a_hashed_password(admin_client):
    response = admin_client.post(
        url(User, "add"),
        {
            "username": "bob", "email": "bob@example.com", "role": "premium",
            "usable_password": "true", "password1": "correct-staple-battery", "password2": "correct-staple-battery",
        },
    )
    assert response.status_code == 302
    bob = User.objects.get(username="bob")
    assert (bob.role, bob.is_superuser) == ("premium", False)
    assert bob.check_password("correct-staple-battery")


@pytest.mark.parametrize("path", ["/admin/", "/admin/quizzes/question/", "/admin/accounts/user/add/"])
def test_a_learner_is_sent_to_the_admin_login(client, learner, path):
    client.force_login(learner)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
