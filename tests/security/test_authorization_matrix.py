"""Who gets what: for every URL of the URL conf, each kind of visitor gets exactly the answer the
table below says. A URL without an entry fails `test_every_url_has_an_entry_in_the_matrix`: add one.

Skipped by the walk, because they are not ours: the Django admin's own views (the admin index and
every model's changelist are checked explicitly below) and django-allauth's own endpoints, except
login, sign-up and logout, which have entries. Our views inside the admin (import/export, the
moderation queue, version restore) are walked like any other."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.helpers.security import PERSONAS, client_for, World

OK = 200
LOGIN = "302 to the login page"
ADMIN_LOGIN = "302 to the admin login"
REDIRECT = "302 elsewhere"
FORBIDDEN = 403
NOT_FOUND = 404

# Allauth endpoints that get an entry (the rest of allauth is its own business).
ALLAUTH_ENTRIES = {"account_login", "account_signup", "account_logout"}


def everyone(answer) -> dict:
    return dict.fromkeys(PERSONAS, answer)


def owner_only(answer) -> dict:
    """The learner's own objects: anyone else, staff and admins included, is told it does not exist."""
    return {**everyone(NOT_FOUND), "learner": answer}


SIGNED_IN = {**everyone(OK), "anonymous": LOGIN, "guest": LOGIN}  # an account, not a guest
SIGNED_OUT_PAGE = {**everyone(REDIRECT), "anonymous": OK, "guest": OK}
STAFF_ONLY = {**everyone(ADMIN_LOGIN), "staff": FORBIDDEN, "admin": OK}
PREMIUM_ONLY = {**everyone(NOT_FOUND), "premium": OK, "staff": OK, "admin": OK}


def signed_in(answers: dict) -> dict:
    """`answers`, except that visitors and guests are first sent to log in."""
    return {**answers, "anonymous": LOGIN, "guest": LOGIN}


@dataclass
class Case:
    method: str
    url: Callable[[World], str]
    expected: dict
    data: Callable[[World], dict] = field(default=lambda world: {})
    known_gap: str = ""  # a finding not fixed yet: the case runs as a strict xfail until it is

    def __post_init__(self):
        assert set(self.expected) == set(PERSONAS), f"every persona needs an answer: {self.expected}"


def get(url, expected, data=None, known_gap=""):
    return Case("get", url, expected, data or (lambda world: {}), known_gap)


def post(url, expected, data=None, known_gap=""):
    return Case("post", url, expected, data or (lambda world: {}), known_gap)


def quiz(name, *more):
    return lambda world: reverse(name, args=[world.session.pk, *more])


def finished(name):
    return lambda world: reverse(name, args=[world.finished.pk])


def second_question_option(world) -> dict:
    second = world.session.session_questions.get(question_order=1)
    return {"option": str(second.question.options.first().pk)}


MATRIX: dict[str, list[Case]] = {
    "healthz": [get(lambda w: "/healthz", everyone(OK)), post(lambda w: "/healthz", everyone(405))],
    # The quiz catalogue: open to everyone; starting a quiz makes a visitor a guest.
    "home": [get(lambda w: "/", everyone(OK))],
    "exam_detail": [
        get(lambda w: reverse("exam_detail", args=["CCNA"]), everyone(OK)),
        get(lambda w: reverse("exam_detail", args=["NOPE"]), everyone(NOT_FOUND)),
    ],
    "quiz_start": [
        get(lambda w: reverse("quiz_start"), everyone(OK)),
        post(lambda w: reverse("quiz_start"), everyone(REDIRECT), lambda w: {"count": "2", "mode": "practice"}),
    ],
    "exam_full_start": [
        post(lambda w: reverse("exam_full_start", args=["CCNA"]), everyone(REDIRECT)),
        post(lambda w: reverse("exam_full_start", args=["NOPE"]), everyone(NOT_FOUND)),
    ],
    "history": [get(lambda w: reverse("history"), everyone(OK))],
    "bookmarks": [get(lambda w: reverse("bookmarks"), everyone(OK))],
    # The learner's quiz: only its owner reaches it.
    "quiz_resume": [get(quiz("quiz_resume"), owner_only(REDIRECT))],
    "quiz_question": [get(quiz("quiz_question", 1), owner_only(OK))],
    "quiz_answer": [post(quiz("quiz_answer", 2), owner_only(REDIRECT), second_question_option)],
    "quiz_flag": [post(quiz("quiz_flag", 2), owner_only(REDIRECT))],
    "quiz_exam_save": [post(quiz("quiz_exam_save", 2), owner_only(REDIRECT), second_question_option)],
    "quiz_review": [get(quiz("quiz_review"), owner_only(REDIRECT))],
    "quiz_finish": [post(quiz("quiz_finish"), owner_only(REDIRECT))],
    "quiz_pause": [post(quiz("quiz_pause"), owner_only(REDIRECT))],
    "quiz_resume_paused": [post(quiz("quiz_resume_paused"), owner_only(REDIRECT))],
    "quiz_discard": [get(quiz("quiz_discard"), owner_only(OK)), post(quiz("quiz_discard"), owner_only(REDIRECT))],
    "quiz_results": [get(finished("quiz_results"), owner_only(OK)), get(quiz("quiz_results"), owner_only(409))],
    "quiz_retry_mistakes": [post(finished("quiz_retry_mistakes"), owner_only(REDIRECT))],
    # Questions: premium ones exist only for premium learners (and admins).
    "bookmark_toggle": [
        post(lambda w: reverse("bookmark_toggle", args=[w.question.pk]), everyone(REDIRECT)),
        post(
            lambda w: reverse("bookmark_toggle", args=[w.premium_question.pk]),
            {**everyone(NOT_FOUND), "premium": REDIRECT, "staff": REDIRECT, "admin": REDIRECT},
        ),
        # A submission pending review is no question yet: nobody bookmarks it (its text would then
        # show on their bookmarks page), as nobody can report it.
        post(
            lambda w: reverse("bookmark_toggle", args=[w.submission.pk]),
            everyone(NOT_FOUND),
        ),
    ],
    "report_problem": [
        get(lambda w: reverse("report_problem", args=[w.question.pk]), SIGNED_IN),
        get(lambda w: reverse("report_problem", args=[w.premium_question.pk]), signed_in(PREMIUM_ONLY)),
        get(lambda w: reverse("report_problem", args=[w.submission.pk]), signed_in(everyone(NOT_FOUND))),
        post(
            lambda w: reverse("report_problem", args=[w.question.pk]),
            signed_in(everyone(REDIRECT)),
            lambda w: {"type": "error", "description": "The answer is wrong."},
        ),
    ],
    "submit_question": [get(lambda w: reverse("submit_question"), SIGNED_IN)],
    "my_submissions": [get(lambda w: reverse("my_submissions"), SIGNED_IN)],
    "my_reports": [get(lambda w: reverse("my_reports"), SIGNED_IN)],
    "exhibit_image": [get(lambda w: reverse("exhibit_image", args=["nope/missing.png"]), everyone(NOT_FOUND))],
    # Accounts.
    "account": [get(lambda w: reverse("account"), SIGNED_IN)],
    "account_login": [get(lambda w: reverse("account_login"), SIGNED_OUT_PAGE)],
    "account_signup": [get(lambda w: reverse("account_signup"), SIGNED_OUT_PAGE)],
    "account_logout": [post(lambda w: reverse("account_logout"), everyone(REDIRECT))],
    # Progress: a visitor sees an empty dashboard; only accounts join the leaderboard.
    "dashboard": [get(lambda w: reverse("dashboard"), everyone(OK))],
    "dashboard_help": [get(lambda w: reverse("dashboard_help"), everyone(OK))],
    "dashboard_weak_area_quiz": [
        post(lambda w: reverse("dashboard_weak_area_quiz", args=["OSPF"]), everyone(REDIRECT)),
        post(lambda w: reverse("dashboard_weak_area_quiz", args=["NOPE"]), {**everyone(NOT_FOUND), "anonymous": REDIRECT}),
    ],
    "dashboard_leaderboard": [
        post(lambda w: reverse("dashboard_leaderboard"), {**everyone(REDIRECT), "anonymous": FORBIDDEN, "guest": FORBIDDEN})
    ],
    # Billing: the page is public, linking an email needs an account; the webhook needs a signature.
    "premium": [
        get(lambda w: reverse("premium"), everyone(OK)),
        post(lambda w: reverse("premium"), signed_in(everyone(422)), lambda w: {"email": "not-an-email"}),
    ],
    "bmac_webhook": [
        post(lambda w: reverse("bmac_webhook"), everyone(401)),
        get(lambda w: reverse("bmac_webhook"), everyone(405)),
    ],
    # Staff pages of our own inside the admin: staff without the permission get 403.
    "importexport:index": [get(lambda w: reverse("importexport:index"), STAFF_ONLY)],
    "importexport:import_preview": [post(lambda w: reverse("importexport:import_preview"), {**STAFF_ONLY, "admin": 400})],
    "importexport:import_run": [post(lambda w: reverse("importexport:import_run"), {**STAFF_ONLY, "admin": REDIRECT})],
    "importexport:export": [get(lambda w: reverse("importexport:export") + "?format=json", STAFF_ONLY)],
    "admin:quizzes_problemreport_queue": [get(lambda w: reverse("admin:quizzes_problemreport_queue"), STAFF_ONLY)],
    "admin:quizzes_question_restore": [
        get(lambda w: reverse("admin:quizzes_question_restore", args=[w.question.pk, 1]), STAFF_ONLY)
    ],
    # The Django admin itself (not walked): its index, for staff only. Model pages: see below.
    "admin:index": [get(lambda w: reverse("admin:index"), {**everyone(ADMIN_LOGIN), "staff": OK, "admin": OK})],
}


# --- The walk ----------------------------------------------------------------------------------


def url_patterns(patterns=None, namespace="", origin=""):
    """(key, module of the view, origin urlconf) of every pattern; key is the namespaced name."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            name = pattern.urlconf_name if isinstance(pattern.urlconf_name, str) else getattr(
                pattern.urlconf_name, "__name__", origin
            )
            yield from url_patterns(pattern.url_patterns, inner, name if isinstance(name, str) else origin)
        elif isinstance(pattern, URLPattern):
            key = namespace + pattern.name if pattern.name else f"{namespace}{pattern.pattern}"
            yield key, pattern.callback.__module__, origin


def needs_entry(key: str, module: str, origin: str) -> bool:
    if origin.startswith("allauth"):
        return key in ALLAUTH_ENTRIES
    if key.startswith("admin:") and module.startswith("django."):
        return False  # the Django admin's own views
    return True


def test_every_url_has_an_entry_in_the_matrix():
    walked = list(url_patterns())
    missing = sorted({key for key, module, origin in walked if needs_entry(key, module, origin)} - set(MATRIX))
    assert not missing, (
        f"URLs without an entry in MATRIX (tests/security/test_authorization_matrix.py): {', '.join(missing)}. "
        "Add what each visitor should get."
    )
    stale = sorted(set(MATRIX) - {key for key, _, _ in walked})
    assert not stale, f"MATRIX entries for URLs that no longer exist: {', '.join(stale)}"


def answer_of(response):
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("account_login")):
        return LOGIN
    return REDIRECT


CASES = [
    pytest.param(key, index, id=f"{key}-{index}",
                 marks=[pytest.mark.xfail(reason=case.known_gap, strict=True)] if case.known_gap else [])
    for key, cases in MATRIX.items()
    for index, case in enumerate(cases)
]
# The owner goes last: a visitor who is refused must not have changed what the owner then sees.
ORDER = [persona for persona in PERSONAS if persona != "learner"] + ["learner"]


@pytest.mark.parametrize("key,index", CASES)
def test_each_visitor_gets_exactly_the_expected_answer(world, key, index):
    case = MATRIX[key][index]
    url = case.url(world)
    wrong = []
    for persona in ORDER:
        client = client_for(persona, world)
        response = getattr(client, case.method)(url, case.data(world))
        got = answer_of(response)
        if got != case.expected[persona]:
            where = f" → {response['Location']}" if response.status_code == 302 else ""
            wrong.append(f"{persona}: expected {case.expected[persona]}, got {got}{where}")
    assert not wrong, f"{case.method.upper()} {url} ({key}):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=[f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry]
)
def test_only_staff_reach_the_admin_pages_of_every_model(world, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    expected = STAFF_ONLY
    wrong = []
    for persona in ORDER:
        got = answer_of(client_for(persona, world).get(url))
        if got != expected[persona]:
            wrong.append(f"{persona}: expected {expected[persona]}, got {got}")
    assert not wrong, f"GET {url}:\n  " + "\n  ".join(wrong)
