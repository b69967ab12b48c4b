"""The admin's question list at scale: exam and category filters without joins (no duplicates, no
DISTINCT), the full-text search, the capped count, and a fixed number of queries whatever the bank."""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from quizzes.admin import CappedCount, CappedCountPaginator, QuestionAdmin
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import ProblemReport, Question, QuestionCategory, QuestionExam, QuestionStatus

LIST = "/admin/quizzes/question/"


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def changelist(client, query=""):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return response.context["cl"]


def listed(client, query=""):
    """The questions of the page, in order, duplicates kept."""
    return [question.pk for question in changelist(client, query).result_list]


@pytest.fixture
def bank(ccna, ospf):
    encor = ExamFactory(code="ENCOR")
    bgp = CategoryFactory(code="BGP")
    return {
        "both_exams": QuestionFactory(
            question_text="Which OSPF area type blocks external routes?",
            explanation="A stub area.", exams=[ccna, encor], categories=[ospf, bgp],
        ),
        "ccna": QuestionFactory(
            question_text="What does a router do?", explanation="It forwards packets between networks.",
            exams=[ccna], categories=[ospf], tags=["routing basics"],
        ),
        "encor": QuestionFactory(
            question_text="What is an AS path?", explanation="The autonomous systems a route went through.",
            exams=[encor], categories=[bgp],
        ),
        "unlinked": QuestionFactory(question_text="Which command shows the configuration?", explanation="show run."),
    }


def test_exam_and_category_filters_list_each_question_once_without_distinct(staff_client, bank, ccna, ospf):
    encor, bgp = ExamFactory(code="ENCOR"), CategoryFactory(code="BGP")
    with CaptureQueriesContext(connection) as queries:
        in_ccna = listed(staff_client, f"exams__id__exact={ccna.pk}")
    assert sorted(in_ccna) == sorted([bank["both_exams"].pk, bank["ccna"].pk])
    assert not [query for query in queries.captured_queries if "DISTINCT" in query["sql"]]
    assert sorted(listed(staff_client, f"exams__id__exact={encor.pk}")) == sorted(
        [bank["both_exams"].pk, bank["encor"].pk]
    )
    assert sorted(listed(staff_client, f"categories__id__exact={bgp.pk}")) == sorted(
        [bank["both_exams"].pk, bank["encor"].pk]
    )
    assert listed(staff_client, f"exams__id__exact={encor.pk}&categories__id__exact={ospf.pk}") == [
        bank["both_exams"].pk
    ]
    assert listed(staff_client, "exams__isnull=True") == [bank["unlinked"].pk]
    assert bank["unlinked"].pk not in listed(staff_client, "categories__isnull=False")
    assert changelist(staff_client, f"exams__id__exact={ccna.pk}").result_count == 2


def test_the_filters_show_their_choices_selected_and_their_facet_counts(staff_client, bank, ccna):
    response = staff_client.get(f"{LIST}?exams__id__exact={ccna.pk}&_facets=True")
    assert response.status_code == 200
    filters = {spec.title: list(spec.choices(response.context["cl"])) for spec in response.context["cl"].filter_specs}
    exams = {choice["display"]: choice["selected"] for choice in filters["exams"]}
    assert exams["Cisco Certified Network Associate (2)"] is True
    assert exams["Exam ENCOR (2)"] is False
    assert exams["- (1)"] is False


def test_an_impossible_filter_value_is_refused_like_djangos(staff_client, bank):
    response = staff_client.get(f"{LIST}?exams__id__exact=not-a-uuid")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_an_action_on_all_filtered_questions_takes_exactly_those(staff_client, bank, ccna):
    response = staff_client.post(
        f"{LIST}?exams__id__exact={ccna.pk}",
        {"action": "archive", "select_across": "1", "index": "0", "_selected_action": [str(bank["ccna"].pk)]},
    )
    assert response.status_code == 302
    archived = set(Question.objects.filter(status=QuestionStatus.ARCHIVED).values_list("pk", flat=True))
    assert archived == {bank["both_exams"].pk, bank["ccna"].pk}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("router", ["ccna"]),  # a word of the question
        ("packets", ["ccna"]),  # a word of the explanation
        ("areas", ["both_exams"]),  # the same stem as "area"
        ("ospf", ["both_exams"]),  # case does not matter
        ("conf", ["unlinked"]),  # the last word may be the start of one: "configuration"
        ("route exter", ["both_exams"]),  # every word must match: "routes" and "external"
        ("stub networks", []),  # ... in the same question
        ('"stub area"', ["both_exams"]),  # a phrase
        ('"area stub"', []),
        ("route -external", ["encor"]),  # a word left out ("route", "routes": the same stem)
        ("stub or packets", ["both_exams", "ccna"]),
        ("routing basics", ["ccna"]),  # exactly a tag (neither word is in its text)
        ("Routing  Basics", ["ccna"]),
        ("basics", []),  # a tag matches whole, never in part
        ("xyzzy", []),
        ("!&|:*'()", []),  # query syntax is taken as text, never an error
    ],
)
def test_the_search_finds_words_stems_prefixes_phrases_and_exact_tags(staff_client, bank, search, expected):
    found = listed(staff_client, urlencode({"q": search}))
    assert sorted(found) == sorted(bank[name].pk for name in expected)


def test_the_search_also_serves_the_question_autocompletes(staff_client, bank):
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "quizzes", "model_name": "problemreport", "field_name": "question", "term": "rout"},
    )
    assert response.status_code == 200
    assert {result["id"] for result in response.json()["results"]} == {
        str(bank["both_exams"].pk), str(bank["ccna"].pk), str(bank["encor"].pk)
    }


def test_a_capped_count_reads_n_plus_and_the_pages_stop_at_the_cap(staff_client, admin_user, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 5)
    monkeypatch.setattr(QuestionAdmin, "list_per_page", 2)
    QuestionFactory.create_batch(5, explanation="Counted.")
    cl = changelist(staff_client)
    assert (cl.result_count, str(cl.result_count), cl.paginator.num_pages) == (5, "5", 3)  # at the cap: exact

    QuestionFactory(explanation="Counted.")
    response = staff_client.get(LIST)
    cl = response.context["cl"]
    assert isinstance(cl.result_count, CappedCount)
    assert (cl.result_count, str(cl.result_count), cl.paginator.num_pages) == (5, "5+", 3)
    assert "5+ questions" in response.text
    assert 'title="Click here to select the objects across all pages"' in response.text
    assert "Select all 5+ questions" in response.text
    assert "All 5+ selected" in response.text
    assert staff_client.get(f"{LIST}?p=3").status_code == 200
    assert staff_client.get(f"{LIST}?p=4")["Location"].endswith("?e=1")

    monkeypatch.setattr(CappedCountPaginator, "search_count_cap", 5)
    response = staff_client.get(f"{LIST}?q=counted")
    assert "5+ results" in response.text
    assert response.context["cl"].full_result_count is None  # the whole table is never counted


def test_a_search_is_counted_to_its_own_lower_cap(staff_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 5)
    monkeypatch.setattr(CappedCountPaginator, "search_count_cap", 3)
    QuestionFactory.create_batch(4, explanation="Counted.")

    searched = staff_client.get(f"{LIST}?q=counted").context["cl"]
    listed = changelist(staff_client)

    assert (searched.result_count, str(searched.result_count)) == (3, "3+")
    assert (listed.result_count, str(listed.result_count)) == (4, "4")


def test_a_capped_count_formats_with_thousands_and_a_plus():
    assert str(CappedCount(1000)) == "1,000+"
    assert f"{CappedCount(10000)} questions" == "10,000+ questions"
    assert CappedCount(1000) == 1000 and CappedCount(1000) > 999


def test_the_checkbox_of_each_row_is_djangos_exactly(admin_user):
    question = QuestionFactory(question_text='Is <b>this</b> "escaped" & right?')
    model_admin = admin.site.get_model_admin(Question)
    assert model_admin.action_checkbox(question) == admin.ModelAdmin.action_checkbox(model_admin, question)


def make_questions(count, exam, category, authors):
    questions = Question.objects.bulk_create(
        Question(
            question_text=f"Scaled question {i} about OSPF", type="single", explanation="Because OSPF.",
            tags=["scaled"], created_by=authors[i % len(authors)],
        )
        for i in range(count)
    )
    QuestionExam.objects.bulk_create(QuestionExam(question=question, exam=exam) for question in questions)
    QuestionCategory.objects.bulk_create(
        QuestionCategory(question=question, category=category) for question in questions
    )
    return questions


def count_queries(client, query):
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return len(context.captured_queries)


# 1 django session, 2 user, 3 exams and 4 categories (the filters' choices), 5 the capped count, 6 the page.
BUDGET = 6


@pytest.mark.slow
def test_the_list_costs_the_same_queries_for_a_bank_of_5_and_of_400(
    staff_client, ccna, ospf, learner, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 150)  # the larger bank goes past it
    paths = [
        "",
        "status__exact=active",
        f"status__exact=active&exams__id__exact={ccna.pk}",
        f"status__exact=active&exams__id__exact={ccna.pk}&q=ospf",
        f"categories__id__exact={ospf.pk}&open_reports=no&q=scaled",
    ]
    make_questions(5, ccna, ospf, [UserFactory()])
    small = [count_queries(staff_client, path) for path in paths]

    questions = make_questions(395, ccna, ospf, UserFactory.create_batch(20))
    for question in questions[::7]:
        ProblemReport.objects.create(question=question, reporter=learner, type="error", description="Wrong.")
    large = [count_queries(staff_client, path) for path in paths]
    assert changelist(staff_client, paths[2]).result_count == 150
    assert str(changelist(staff_client, paths[2]).result_count) == "150+"

    assert small == large
    for path in paths:
        with django_assert_max_num_queries(BUDGET):
            staff_client.get(f"{LIST}?{path}")
