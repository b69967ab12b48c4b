"""Micro-benchmarks of the hot paths, in-process through Django's test Client, against the database
DATABASE_URL points at (bench/run runs it once per size and compares the two).

Each path is requested --warmup times, then --repeat times timed; then once more with the queries
captured (their count, and with --explain each statement's EXPLAIN ANALYZE, run in a transaction
that is rolled back). The learner is the one with the longest history when the database holds the
generated data (bench-learner-00001), else the demo `learner`; the admin pages use the demo `admin`.
Everything the run creates (quiz sessions, login sessions) is deleted at the end, and the learner's
progress row is put back as it was.

    DATABASE_URL=... python bench/micro.py --label large --out large.json [--explain large-explain.txt]
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certquiz.settings")
os.environ.setdefault("LOG_LEVEL", "CRITICAL")
os.environ.setdefault("ACCESS_LOG_LEVEL", "CRITICAL")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from quizzes import services  # noqa: E402
from quizzes.models import Exam, Question, QuizSession  # noqa: E402

POWER_LEARNER = "bench-learner-00001"
HTMX = {"HX-Request": "true"}
# Filters that match questions in the demo bank and in the generated one.
FILTERED_START = {"exam": "CCNP_ENARSI", "category": "EIGRP", "tags": "eigrp"}
EXAM_START = {"exam": "CCNA"}
ADMIN_SEARCH = "ospf"
ADMIN_PAGE_ROWS = 5


class Rollback(Exception):
    pass


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Bench:
    def __init__(self, repeat: int, warmup: int, explain_path: Path | None):
        self.repeat, self.warmup, self.explain_path = repeat, warmup, explain_path
        self.results: dict[str, dict] = {}
        self.explains: list[str] = []
        self.learner = User.objects.filter(username=POWER_LEARNER).first() or User.objects.get(username="learner")
        self.admin = User.objects.get(username="admin")
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.learner)
        self.admin_client = Client(raise_request_exception=False)
        self.admin_client.force_login(self.admin)
        self.started = timezone.now()

    # --- measuring ---

    def measure(self, name: str, request, *, client=None, expect=(200, 302)) -> None:
        """`request(client, i)` makes the i-th request; i runs on across warm-up, timed and captured runs."""
        client = client or self.client
        calls = iter(range(10**9))
        statuses = set()
        for _ in range(self.warmup):
            statuses.add(request(client, next(calls)).status_code)
        timings = []
        for _ in range(self.repeat):
            i = next(calls)
            start = time.perf_counter()
            response = request(client, i)
            timings.append((time.perf_counter() - start) * 1000)
            statuses.add(response.status_code)
        with CaptureQueriesContext(connection) as captured:
            statuses.add(request(client, next(calls)).status_code)
        queries = [query["sql"] for query in captured.captured_queries]
        unexpected = sorted(status for status in statuses if status not in expect)
        self.results[name] = {
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2),
            "mean_ms": round(statistics.fmean(timings), 2),
            "min_ms": round(min(timings), 2),
            "queries": len(queries),
            "statuses": sorted(statuses),
            "errors": unexpected,
        }
        if self.explain_path:
            self.results[name]["slowest_queries"] = self.explain(name, queries)
        flag = f"  UNEXPECTED STATUS {unexpected}" if unexpected else ""
        print(f"  {name:<22} median {self.results[name]['median_ms']:>8.2f} ms   p95 {self.results[name]['p95_ms']:>8.2f} ms"
              f"   {len(queries):>3} queries{flag}", flush=True)

    def explain(self, name: str, queries: list[str]) -> list[dict]:
        """EXPLAIN ANALYZE of each statement, rolled back; the slowest ones are kept in the results."""
        timed = []
        for number, sql in enumerate(queries, start=1):
            if sql.split(None, 1)[0].upper() not in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
                continue
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"))
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    raise Rollback
            except Rollback:
                pass
            except Exception as error:  # a replayed INSERT may now conflict: say so and go on
                plan = f"(not explained: {type(error).__name__}: {str(error).strip()[:200]})"
            execution = next((float(line.split(":")[1].split()[0]) for line in plan.splitlines()
                              if line.startswith("Execution Time")), 0.0)
            timed.append({"number": number, "execution_ms": execution, "sql": sql, "plan": plan})
            self.explains.append(f"### {name} — query {number} ({execution:.3f} ms)\n{sql}\n\n{plan}\n")
        return [{"number": item["number"], "execution_ms": item["execution_ms"], "sql": item["sql"][:600],
                 "plan_head": item["plan"].splitlines()[0] if item["plan"] else ""}
                for item in sorted(timed, key=lambda item: item["execution_ms"], reverse=True)[:3]]

    # --- the hot paths ---

    def new_session(self) -> QuizSession:
        """A ten-question quiz for the learner, set up outside the timings: picked from a random
        sample of ids, so that setting up does not depend on the random pick under test."""
        if not hasattr(self, "pool"):
            self.pool = list(Question.objects.active().visible_to(self.learner).values_list("id", flat=True))
        ids = random.sample(self.pool, min(10, len(self.pool)))
        return services.start_session(user=self.learner, count=len(ids), question_ids=ids).session

    def unanswered(self, needed: int) -> list[tuple]:
        """(session, number, option id) for `needed` questions not answered yet."""
        items = []
        while len(items) < needed:
            session = self.new_session()
            for sq in session.session_questions.order_by("question_order"):
                items.append((session.pk, sq.question_order + 1, str(sq.option_order[0])))
        return items

    def section(self, names: list[str], run) -> None:
        """Run one group of measurements; a failure (the app is edited while it is benchmarked)
        is recorded against the group's paths and the others still run."""
        try:
            run()
        except Exception as error:  # noqa: BLE001
            note = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:200] if str(error).strip() else ''}"
            for name in names:
                self.results.setdefault(name, {"failed": note})
            print(f"  {', '.join(names)}: FAILED ({note})", flush=True)

    def run(self) -> None:
        total = self.warmup + self.repeat + 1
        self.section(["start (exam)"], lambda: self.measure(
            "start (exam)", lambda c, i: c.post("/quiz/start/", {"mode": "practice", "count": 10, **EXAM_START})))
        self.section(["start (exam+cat+tag)"], lambda: self.measure(
            "start (exam+cat+tag)", lambda c, i: c.post("/quiz/start/", {"mode": "practice", "count": 10,
                                                                         **FILTERED_START})))

        def questions():
            session = self.new_session()
            self.measure("question page", lambda c, i: c.get(f"/quiz/{session.pk}/q/{i % 10 + 1}/"))
            self.measure("question (htmx)", lambda c, i: c.get(f"/quiz/{session.pk}/q/{i % 10 + 1}/", headers=HTMX))

        self.section(["question page", "question (htmx)"], questions)

        def answers_and_results():
            answers = self.unanswered(total)
            self.measure("answer POST (htmx)", lambda c, i: c.post(
                f"/quiz/{answers[i][0]}/q/{answers[i][1]}/answer/", {"option": answers[i][2]}, headers=HTMX))
            finished = answers[0][0]  # its ten questions were answered above
            services.finish_session(session=QuizSession.objects.get(pk=finished))
            self.measure("results page", lambda c, i: c.get(f"/quiz/{finished}/results/"))

        self.section(["answer POST (htmx)", "results page"], answers_and_results)
        self.section(["dashboard"], lambda: self.measure("dashboard", lambda c, i: c.get("/dashboard/")))

        def dashboard_after_an_answer(c, i):
            touch_progress(self.learner)  # one UPDATE of one row, timed with the page
            return c.get("/dashboard/")

        self.section(["dashboard (after an answer)"], lambda: self.measure(
            "dashboard (after an answer)", dashboard_after_an_answer))
        self.section(["home"], lambda: self.measure("home", lambda c, i: c.get("/")))

        def admin():
            # The same number of rows on the page at both sizes (the demo bank has 7 questions that
            # match the search): what is compared is the cost of finding and counting them, not of
            # rendering 100 rows against 7.
            from quizzes.admin import QuestionAdmin

            QuestionAdmin.list_per_page = ADMIN_PAGE_ROWS
            exam = Exam.objects.get(code="CCNA")
            self.measure("admin list (filters)", lambda c, i: c.get(
                f"/admin/quizzes/question/?status__exact=active&exams__id__exact={exam.pk}"), client=self.admin_client)
            self.measure("admin list (search)", lambda c, i: c.get(
                f"/admin/quizzes/question/?status__exact=active&exams__id__exact={exam.pk}&q={ADMIN_SEARCH}"),
                client=self.admin_client)

        self.section(["admin list (filters)", "admin list (search)"], admin)

    def cleanup(self, progress_before: dict | None) -> None:
        QuizSession.objects.filter(user=self.learner, started_at__gte=self.started).delete()
        for client in (self.client, self.admin_client):
            Session.objects.filter(session_key=client.session.session_key).delete()
        if progress_before is not None:
            UserProgress = apps.get_model("gamification", "UserProgress")
            UserProgress.objects.filter(pk=self.learner.pk).update(**progress_before)


def touch_progress(user) -> None:
    """What an answer does to the dashboard's per-learner cache key: the progress row's updated_at
    moves (its trigger)."""
    UserProgress = apps.get_model("gamification", "UserProgress")
    UserProgress.objects.filter(pk=user.pk).update(experience=F("experience"))


def progress_of(user) -> dict | None:
    UserProgress = apps.get_model("gamification", "UserProgress")
    return UserProgress.objects.filter(pk=user.pk).values().first()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="Name of this size in the results, e.g. small or large.")
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per path (default 30).")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per path first (default 5).")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write.")
    parser.add_argument("--explain", type=Path, help="Also EXPLAIN ANALYZE every statement; the plans go here.")
    args = parser.parse_args()

    # The test client talks plain http to "testserver"; the free daily limit stays on (its count
    # query runs on every answer) but high enough for the run.
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, FREE_DAILY_QUESTION_LIMIT=10**6):
        bench = Bench(args.repeat, args.warmup, args.explain)
        before = progress_of(bench.learner)
        before = {k: v for k, v in before.items() if k not in {"user_id", "updated_at"}} if before else None
        history = QuizSession.objects.filter(user=bench.learner).count()
        print(f"{args.label}: {Question.objects.count():,} questions; learner {bench.learner.username} with "
              f"{history:,} quiz sessions; {args.repeat} timed requests per path after {args.warmup} warm-up",
              flush=True)
        try:
            bench.run()
        finally:
            bench.cleanup(before)

    result = {
        "label": args.label,
        "database": connection.settings_dict["NAME"],
        "questions": Question.objects.count(),
        "learner": bench.learner.username,
        "learner_sessions": history,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "python": platform.python_version(),
        "paths": bench.results,
    }
    args.out.write_text(json.dumps(result, indent=2))
    if args.explain:
        args.explain.write_text("\n".join(bench.explains))


if __name__ == "__main__":
    main()
