"""Load the demo data: three accounts, the exams, categories and questions of
quizzes/demo/questions.json (or --path) and the badges of gamification/demo/badges.json.

Safe to run any number of times: users are keyed by username, exams and categories by code,
questions by a uuid5 of their text, badges by name, and a row is saved only when it differs from the
file, so a second run creates nothing and changes nothing. Everything is validated before anything
is written, and the writes run in one transaction: a bad file writes nothing.
"""

import json
import os
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import Role, User
from billing.models import Subscription
from gamification.models import Badge
from quizzes.models import (
    MAX_EXAM_MINUTES,
    MAX_EXAM_QUESTIONS,
    Category,
    Exam,
    ExamBlueprint,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionOption,
    QuestionType,
)

# Never change it: a question's id is uuid5(QUESTION_NAMESPACE, question_text), which is what makes
# a second load update the question instead of adding a copy.
QUESTION_NAMESPACE = uuid.UUID("e5ae0265-9721-429a-a03c-da4fb1498067")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    email: str
    role: str
    password_env: str
    default_password: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "admin@certquiz.app", Role.ADMIN, "DEMO_ADMIN_PASSWORD", "certquiz-admin"),
    DemoAccount("learner", "learner@certquiz.app", Role.USER, "DEMO_LEARNER_PASSWORD", "certquiz-learner"),
    DemoAccount("premium", "premium@certquiz.app", Role.PREMIUM, "DEMO_PREMIUM_PASSWORD", "certquiz-premium"),
]


DEMO_PREMIUM_DAYS = 365


def question_id(question_text: str) -> uuid.UUID:
    return uuid.uuid5(QUESTION_NAMESPACE, question_text)


def apply_values(obj, values: dict) -> bool:
    """Set the fields that differ and save only those; False when the row already matched."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(obj, name, values[name])
    if any(model_field.name == "updated_at" for model_field in obj._meta.concrete_fields):
        changed.append("updated_at")
    obj.save(update_fields=changed)
    return True


def _text(value) -> str | None:
    """Optional text: a missing or blank value is stored as NULL."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _label(index: int, item: dict, key: str) -> str:
    text = item.get(key) if isinstance(item, dict) else None
    if isinstance(text, str) and text.strip():
        first_line = text.strip().splitlines()[0]
        return f'{index + 1} ("{first_line[:70]}{"..." if len(first_line) > 70 else ""}")'
    return str(index + 1)


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def read_json(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as file:
            data = json.load(file)
    except FileNotFoundError:
        raise CommandError(f"{path} does not exist.") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold a JSON object.")
    return data


def validate_catalogue(kind: str, items, errors: list[str]) -> set[str]:
    """Exams or categories: {code, name, description, display_order}. Returns the codes."""
    codes: set[str] = set()
    if not isinstance(items, list):
        errors.append(f'"{kind}" must be a list.')
        return codes
    for index, item in enumerate(items):
        name = f"{kind[:-1] if kind == 'exams' else 'category'} {_label(index, item, 'code')}"
        if not isinstance(item, dict) or not _is_text(item.get("code")) or not _is_text(item.get("name")):
            errors.append(f"{name}: needs a code and a name.")
            continue
        if item["code"] in codes:
            errors.append(f"{name}: the code is listed twice.")
        if not isinstance(item.get("display_order", 0), int):
            errors.append(f"{name}: display_order must be an integer.")
        codes.add(item["code"])
    return codes


QUESTIONS_PATH = Path(settings.BASE_DIR) / "quizzes" / "demo" / "questions.json"
EXAM_SETTINGS_PATH = Path(settings.BASE_DIR) / "quizzes" / "demo" / "exam_settings.json"
BADGES_PATH = Path(settings.BASE_DIR) / "gamification" / "demo" / "badges.json"
EXAM_SETTINGS = {
    "passing_score": (1, 100),
    "duration_minutes": (1, MAX_EXAM_MINUTES),
    "question_count": (1, MAX_EXAM_QUESTIONS),
}


def validate_exam_settings_file(data: dict, errors: list[str]) -> None:
    exams = data.get("exams")
    if not isinstance(exams, dict):
        errors.append('exam settings: "exams" must map exam codes to their settings.')
        return
    for code, item in exams.items():
        if not isinstance(item, dict):
            errors.append(f"exam settings of {code}: must be an object.")
        else:
            errors.extend(f"exam settings of {code}: {problem}" for problem in validate_exam_settings(item))


def validate_exam_settings(item: dict) -> list[str]:
    problems = []
    for key, (low, high) in EXAM_SETTINGS.items():
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
            problems.append(f"{key} must be an integer from {low} to {high}.")
    blueprint = item.get("blueprint", {})
    if not isinstance(blueprint, dict) or not all(
        isinstance(weight, int) and not isinstance(weight, bool) and 1 <= weight <= 100 for weight in blueprint.values()
    ):
        problems.append("blueprint must map category codes to weights from 1 to 100.")
    elif blueprint and sum(blueprint.values()) != 100:
        problems.append(f"the blueprint's weights must sum to 100, not {sum(blueprint.values())}.")
    return problems


def validate_question(item, exam_codes: set[str], category_codes: set[str]) -> list[str]:
    if not isinstance(item, dict):
        return ["is not an object."]
    problems = []
    if not _is_text(item.get("question_text")):
        problems.append("needs a question_text.")
    if item.get("type") not in QuestionType.values:
        problems.append(f"type must be one of {', '.join(QuestionType.values)}, not {item.get('type')!r}.")
    if not _is_text(item.get("explanation")):
        problems.append("needs an explanation.")
    if not isinstance(item.get("is_premium", False), bool):
        problems.append("is_premium must be true or false.")
    for key, known in (("tags", None), ("exams", exam_codes), ("categories", category_codes)):
        values = item.get(key, [])
        if not isinstance(values, list) or not all(_is_text(value) for value in values):
            problems.append(f"{key} must be a list of strings.")
        elif known is not None and (unknown := sorted(set(values) - known)):
            problems.append(f"unknown {key[:-1] if key == 'exams' else 'category'} code(s): {', '.join(unknown)}.")

    options = item.get("options")
    if not isinstance(options, list) or not all(
        isinstance(option, dict) and _is_text(option.get("text")) and isinstance(option.get("is_correct"), bool)
        for option in options
    ):
        problems.append("options must be a list of {text, is_correct: true|false}.")
        return problems
    correct = sum(option["is_correct"] for option in options)
    wrong = len(options) - correct
    if item.get("type") == QuestionType.SINGLE and (correct != 1 or wrong < 1):
        problems.append(f"a single-answer question needs exactly 1 correct option and at least 1 wrong one; "
                        f"it has {correct} correct and {wrong} wrong.")
    if item.get("type") == QuestionType.MULTIPLE and (correct < 2 or wrong < 1):
        problems.append(f"a multiple-answer question needs at least 2 correct options and 1 wrong one; "
                        f"it has {correct} correct and {wrong} wrong.")
    return problems


def validate_badges(items, category_codes: set[str], requirement_types: list[str], errors: list[str]) -> None:
    if not isinstance(items, list):
        errors.append('"badges" must be a list.')
        return
    names: set[str] = set()
    for index, item in enumerate(items):
        label = f"badge {_label(index, item, 'name')}"
        if not isinstance(item, dict) or not all(
            _is_text(item.get(key)) for key in ("name", "description", "icon", "category")
        ):
            errors.append(f"{label}: needs a name, description, icon and category.")
            continue
        if item["name"] in names:
            errors.append(f"{label}: the name is listed twice.")
        names.add(item["name"])
        if item.get("requirement_type") not in requirement_types:
            errors.append(f"{label}: requirement_type must be one of {', '.join(requirement_types)}.")
        value = item.get("requirement_value")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.append(f"{label}: requirement_value must be a positive integer.")
        category = item.get("requirement_category")
        if item.get("requirement_type") == "category_mastery":
            if category not in category_codes:
                errors.append(f"{label}: requirement_category must be a known category code, not {category!r}.")
        elif category is not None:
            errors.append(f"{label}: only category_mastery badges have a requirement_category.")


@dataclass
class Links:
    """A question's links to exams or categories: the rows there are, and those to add."""

    target: str  # "exam" or "category"
    ids_by_code: dict
    current: defaultdict = field(default_factory=lambda: defaultdict(set))
    new: list = field(default_factory=list)

    @property
    def column(self) -> str:
        return f"{self.target}_id"

    def sync(self, model, question: Question, codes: list[str]) -> bool:
        wanted = {self.ids_by_code[code] for code in codes}
        linked = self.current[question.id]
        self.new.extend(model(question=question, **{self.column: target}) for target in wanted - linked)
        if stale := linked - wanted:
            model.objects.filter(question=question, **{f"{self.column}__in": stale}).delete()
        return wanted != linked


class Command(BaseCommand):
    help = "Create or update the demo accounts, exams, categories, questions and badges (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=QUESTIONS_PATH,
            help="Questions file to load (default: quizzes/demo/questions.json).",
        )

    def handle(self, *args, path: Path, **options):
        badges_path = BADGES_PATH
        data, badges = read_json(path), read_json(badges_path).get("badges")
        exam_settings = read_json(EXAM_SETTINGS_PATH)
        self.validate(path, data, badges, exam_settings)

        self.counts: dict[str, Counter] = defaultdict(Counter)
        try:
            with transaction.atomic():
                admin = self.load_accounts()
                self.load_catalogue(Exam, data.get("exams", []), "exams")
                self.load_catalogue(Category, data.get("categories", []), "categories")
                self.load_exam_settings(exam_settings["exams"])
                self.load_questions(data["questions"], admin)
                self.load_badges(badges)
        except ProtectedError as error:  # an option the file dropped was already answered in a quiz
            raise CommandError(f"{self.display(path)} was not loaded, nothing was written: {error.args[0]}") from None

        self.stdout.write(f"Demo data loaded from {self.display(path)} and {self.display(badges_path)}:")
        for kind in ("accounts", "exams", "exam settings", "categories", "questions", "badges"):
            counts = self.counts[kind]
            self.stdout.write(
                f"  {kind:<14}{counts['created']:>4} created{counts['updated']:>4} updated"
                f"{counts['unchanged']:>5} unchanged"
            )
        self.stdout.write(self.logins())

    def validate(self, path: Path, data: dict, badges, exam_settings: dict) -> None:
        errors: list[str] = []
        exam_codes = validate_catalogue("exams", data.get("exams", []), errors)
        category_codes = validate_catalogue("categories", data.get("categories", []), errors)
        exam_codes |= set(Exam.objects.values_list("code", flat=True))
        category_codes |= set(Category.objects.values_list("code", flat=True))
        validate_exam_settings_file(exam_settings, errors)

        questions = data.get("questions")
        if not isinstance(questions, list):
            errors.append('"questions" must be a list.')
            questions = []
        seen: dict[str, int] = {}
        for index, item in enumerate(questions):
            label = f"Question {_label(index, item, 'question_text')}"
            errors.extend(f"{label}: {problem}" for problem in validate_question(item, exam_codes, category_codes))
            text = item.get("question_text") if isinstance(item, dict) else None
            if isinstance(text, str) and text in seen:
                errors.append(f"{label}: same question_text as question {seen[text] + 1}.")
            elif isinstance(text, str):
                seen[text] = index

        requirement_types = [choice for choice, _ in Badge._meta.get_field("requirement_type").choices]
        validate_badges(badges, category_codes, requirement_types, errors)
        if errors:
            raise CommandError(f"{self.display(path)} was not loaded, nothing was written:\n  " + "\n  ".join(errors))

    def count(self, kind: str, created: bool, changed: bool) -> None:
        self.counts[kind]["created" if created else "updated" if changed else "unchanged"] += 1

    def load_accounts(self) -> User:
        """The admin and the premium learner are put back in their demo state on every load; the
        learner is left alone once created, free to try the upgrade to premium."""
        users = {}
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(username=account.username).first()
            created = user is None
            if created:
                # The password is set only here, so a password changed later survives the next load.
                password = os.environ.get(account.password_env) or account.default_password
                create = User.objects.create_superuser if account.role == Role.ADMIN else User.objects.create_user
                user = create(account.username, account.email, password, role=account.role)
                changed = True
            elif account.role == Role.USER:
                changed = False
            else:
                changed = apply_values(user, {
                    "email": account.email,
                    "role": account.role,
                    "is_superuser": account.role == Role.ADMIN,
                    "is_active": True,
                })
            if account.role == Role.PREMIUM:
                changed |= self.grant_premium(user)
            self.count("accounts", created=created, changed=changed)
            users[account.role] = user
        return users[Role.ADMIN]

    @staticmethod
    def grant_premium(user: User) -> bool:
        """Premium is read from the subscription: when it grants none, a one-off grant of
        DEMO_PREMIUM_DAYS through the subscription's own rule."""
        subscription = Subscription.objects.filter(user=user).first() or Subscription(user=user)
        now = timezone.now()
        if subscription.grants_premium(now):
            return False
        subscription.add_days(DEMO_PREMIUM_DAYS, now=now)
        subscription.save()
        return True

    def load_catalogue(self, model, items: list[dict], kind: str) -> None:
        """Exams and categories by code. is_active is left alone: an admin may have retired one."""
        for item in items:
            values = {
                "name": item["name"].strip(),
                "description": _text(item.get("description")),
                "display_order": item.get("display_order", 0),
            }
            row = model.objects.filter(code=item["code"]).first()
            if row is None:
                model.objects.create(code=item["code"], **values)
                self.count(kind, created=True, changed=True)
            else:
                self.count(kind, created=False, changed=apply_values(row, values))

    def load_exam_settings(self, settings_by_code: dict) -> None:
        """Each listed exam's settings and blueprint as the settings file gives them: blueprint rows
        added, reweighted or dropped to match. Exams the file does not list are left alone, and so
        are, when another questions file (--path) leaves them out, the exams and the blueprints
        whose categories are not in the bank."""
        category_ids = dict(Category.objects.values_list("code", "id"))
        exams = Exam.objects.in_bulk(list(settings_by_code), field_name="code")
        for code, item in settings_by_code.items():
            exam = exams.get(code)
            if exam is None:
                continue
            changed = apply_values(exam, {key: item[key] for key in EXAM_SETTINGS if key in item})
            if "blueprint" in item and set(item["blueprint"]) <= set(category_ids):
                changed |= self.sync_blueprint(exam, {category_ids[c]: weight for c, weight in item["blueprint"].items()})
            self.count("exam settings", created=False, changed=changed)

    @staticmethod
    def sync_blueprint(exam: Exam, wanted: dict) -> bool:
        current = {row.category_id: row for row in ExamBlueprint.objects.filter(exam=exam)}
        deleted, _ = ExamBlueprint.objects.filter(exam=exam).exclude(category_id__in=wanted).delete()
        changed = bool(deleted)
        for category_id, weight in wanted.items():
            row = current.get(category_id)
            if row is None:
                ExamBlueprint.objects.create(exam=exam, category_id=category_id, weight_percent=weight)
                changed = True
            elif row.weight_percent != weight:
                row.weight_percent = weight
                row.save(update_fields=["weight_percent"])
                changed = True
        return changed

    def load_questions(self, items: list[dict], admin: User) -> None:
        """Questions by id, their options by display order, their exam and category links; the
        file is the truth for the questions it lists. Status is left alone (an admin may archive).
        New rows are collected and inserted in bulk, so a first load is a handful of queries."""
        ids = [question_id(item["question_text"]) for item in items]
        existing = Question.objects.prefetch_related("options").in_bulk(ids)
        links = {
            QuestionExam: Links("exam", dict(Exam.objects.values_list("code", "id"))),
            QuestionCategory: Links("category", dict(Category.objects.values_list("code", "id"))),
        }
        for model, link in links.items():
            for question, target in model.objects.filter(question_id__in=ids).values_list("question_id", link.column):
                link.current[question].add(target)
        new_questions, new_options = [], []

        for qid, item in zip(ids, items):
            values = {
                "question_text": item["question_text"],
                "type": item["type"],
                "explanation": item["explanation"],
                "detailed_explanation": _text(item.get("detailed_explanation")),
                "tags": list(item.get("tags", [])),
                "is_premium": item.get("is_premium", False),
            }
            question = existing.get(qid)
            if question is None:
                question = Question(id=qid, created_by=admin, **values)
                new_questions.append(question)
                options, changed = {}, True
            else:
                options = {option.display_order: option for option in question.options.all()}
                changed = apply_values(question, values)

            for order, option in enumerate(item["options"]):
                current = options.pop(order, None)
                option_values = {"text": option["text"], "is_correct": option["is_correct"]}
                if current is None:
                    new_options.append(QuestionOption(question=question, display_order=order, **option_values))
                    changed = True
                else:
                    changed |= apply_values(current, option_values)
            if options:  # the file now lists fewer options
                QuestionOption.objects.filter(pk__in=[option.pk for option in options.values()]).delete()
                changed = True

            changed |= links[QuestionExam].sync(QuestionExam, question, item.get("exams", []))
            changed |= links[QuestionCategory].sync(QuestionCategory, question, item.get("categories", []))
            self.count("questions", created=qid not in existing, changed=changed)

        Question.objects.bulk_create(new_questions)
        QuestionOption.objects.bulk_create(new_options)
        for model, link in links.items():
            # ignore_conflicts is get_or_create for a batch: the unique (question, target) pair
            # means a row that exists already is skipped, never duplicated.
            model.objects.bulk_create(link.new, ignore_conflicts=True)

    def load_badges(self, items: list[dict]) -> None:
        for item in items:
            values = {key: item[key].strip() for key in ("description", "icon", "category")}
            values["requirement_type"] = item["requirement_type"]
            values["requirement_value"] = item["requirement_value"]
            values["requirement_category"] = item.get("requirement_category")
            badge = Badge.objects.filter(name=item["name"]).first()
            if badge is None:
                Badge.objects.create(name=item["name"], **values)
                self.count("badges", created=True, changed=True)
            else:
                self.count("badges", created=False, changed=apply_values(badge, values))

    @staticmethod
    def display(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
        except ValueError:
            return str(path)

    @staticmethod
    def logins() -> str:
        lines = ["Demo logins (username or email; a password is set only when its account is created):"]
        for account in DEMO_ACCOUNTS:
            password = f"password from {account.password_env}" if os.environ.get(account.password_env) \
                else account.default_password
            role = "admin, superuser (/admin/)" if account.role == Role.ADMIN else Role(account.role).label.lower()
            lines.append(f"  {account.username:<9}{password:<20}  {role}")
        return "\n".join(lines)
