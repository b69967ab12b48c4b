import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from billing.models import Subscription
from gamification.models import Badge
from certquiz.management.commands.load_demo_data import question_id
from quizzes.models import Category, Exam, Question, QuestionCategory, QuestionExam, QuestionOption, QuestionType

TABLES = [User, Subscription, Exam, Category, Question, QuestionOption, QuestionExam, QuestionCategory, Badge]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out, **options)
    return out.getvalue()


def summary(output: str, kind: str) -> tuple[int, int, int]:
    """(created, updated, unchanged) from the loader's summary line for `kind`."""
    match = re.search(rf"^  {kind} +(\d+) created +(\d+) updated +(\d+) unchanged$", output, re.MULTILINE)
    assert match, output
    return tuple(map(int, match.groups()))


def snapshot() -> dict:
    """Every row of every table the loader writes, timestamps included."""
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in TABLES}


@pytest.mark.django_db
def test_loading_twice_creates_nothing_and_changes_nothing():
    first_output = load()
    first = snapshot()

    second_output = load()

    assert snapshot() == first
    questions = len(first["Question"])
    assert summary(first_output, "questions") == (questions, 0, 0)
    assert summary(second_output, "questions") == (0, 0, questions)
    assert summary(second_output, "badges") == (0, 0, len(first["Badge"]))
    assert len(first["Question"]) > 50 and len(first["Badge"]) >= 12
    assert "admin    certquiz-admin" in first_output


@pytest.mark.django_db
def test_demo_accounts_exist_with_their_roles():
    load()

    users = {user.username: user for user in User.objects.all()}
    assert users["admin"].role == Role.ADMIN and users["admin"].is_superuser
    assert users["admin"].email == "admin@certquiz.app"
    assert users["learner"].role == Role.USER and not users["learner"].is_superuser
    assert users["premium"].role == Role.PREMIUM and users["premium"].has_premium
    assert not users["learner"].has_premium
    assert users["admin"].check_password("certquiz-admin")
    assert users["learner"].check_password("certquiz-learner")
    assert users["premium"].check_password("certquiz-premium")


@pytest.mark.django_db
def test_passwords_come_from_the_environment_and_are_set_only_on_creation(monkeypatch):
    monkeypatch.setenv("DEMO_LEARNER_PASSWORD", "from-the-environment")
    output = load()
    learner = User.objects.get(username="learner")
    assert learner.check_password("from-the-environment")
    assert "from-the-environment" not in output

    learner.set_password("changed-by-the-learner")
    learner.save()
    monkeypatch.delenv("DEMO_LEARNER_PASSWORD")
    load()

    learner.refresh_from_db()
    assert learner.check_password("changed-by-the-learner")


@pytest.mark.django_db
def test_a_reload_restores_the_admin_and_the_premium_learner_but_leaves_the_learner_alone():
    load()
    User.objects.filter(username="admin").update(role=Role.USER, is_superuser=False)
    Subscription.objects.filter(user__username="premium").update(status="expired")
    User.objects.filter(username="learner").update(email="learner@example.com")

    load()

    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.is_superuser
    assert User.objects.get(username="premium").has_premium
    assert User.objects.get(username="learner").email == "learner@example.com"


@pytest.mark.django_db
def test_every_demo_question_is_valid():
    load()

    questions = Question.objects.prefetch_related("options", "exams", "categories")
    for question in questions:
        options = list(question.options.all())
        correct = sum(option.is_correct for option in options)
        assert [option.display_order for option in options] == list(range(len(options))), question
        if question.type == QuestionType.SINGLE:
            assert correct == 1, question
        else:
            assert correct >= 2 and len(options) - correct >= 1, question
        assert question.exams.exists() and question.categories.exists(), question
        assert question.id == question_id(question.question_text)
        assert question.created_by.username == "admin"
    assert questions.filter(is_premium=True).exists()
    assert {"OSPF", "QOS", "NETWORK_FUNDAMENTALS"} <= set(Category.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_a_reload_applies_edits_from_the_file(tmp_path):
    data = {
        "exams": [{"code": "CCNA", "name": "CCNA", "description": "", "display_order": 1}],
        "categories": [{"code": "OSPF", "name": "OSPF", "display_order": 1},
                       {"code": "QOS", "name": "QoS", "display_order": 2},
                       {"code": "NETWORK_FUNDAMENTALS", "name": "Network Fundamentals", "display_order": 3}],
        "questions": [{
            "question_text": "Which OSPF LSA type does a DR originate?",
            "type": "single", "explanation": "The DR describes the transit network.",
            "tags": ["ospf"], "exams": ["CCNA"], "categories": ["OSPF"], "is_premium": False,
            "options": [{"text": "Type 1", "is_correct": False}, {"text": "Type 2", "is_correct": True},
                        {"text": "Type 3", "is_correct": False}],
        }],
    }
    path = tmp_path / "questions.json"
    path.write_text(json.dumps(data))
    load(path=path)

    data["questions"][0]["options"].pop()
    data["questions"][0]["categories"] = ["QOS"]
    path.write_text(json.dumps(data))
    output = load(path=path)

    question = Question.objects.get()
    assert list(question.options.values_list("text", flat=True)) == ["Type 1", "Type 2"]
    assert list(question.categories.values_list("code", flat=True)) == ["QOS"]
    assert summary(output, "questions") == (0, 1, 0)


@pytest.mark.django_db
def test_a_broken_file_loads_nothing_and_names_the_question(tmp_path):
    broken = {
        "exams": [{"code": "CCNA", "name": "CCNA", "display_order": 1}],
        "categories": [{"code": "OSPF", "name": "OSPF", "display_order": 1}],
        "questions": [
            {
                "question_text": "Which protocol numbers does OSPF use?",
                "type": "single", "explanation": "OSPF runs directly over IP.",
                "exams": ["CCNA"], "categories": ["OSPF"],
                "options": [{"text": "IP protocol 89", "is_correct": True}, {"text": "TCP 179", "is_correct": False}],
            },
            {
                "question_text": "Which two OSPF timers must match between neighbors?",
                "type": "multiple", "explanation": "Hello and dead intervals must match.",
                "exams": ["CCNA"], "categories": ["OSPF"],
                "options": [{"text": "Hello", "is_correct": True}, {"text": "Dead", "is_correct": False},
                            {"text": "Retransmit", "is_correct": False}],
            },
        ],
    }
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))

    with pytest.raises(CommandError, match="Which two OSPF timers must match between neighbors") as error:
        load(path=path)

    assert "at least 2 correct" in str(error.value)
    assert "Which protocol numbers" not in str(error.value)
    assert all(not model.objects.exists() for model in TABLES)
