"""Profile one hot path in-process: where a request's time goes (cProfile), with the production
settings, against the database DATABASE_URL points at (a bench database: bench/run makes them).

    DATABASE_URL=... python bench/profile_request.py question --requests 200 [--sort tottime] [--limit 40]

Paths: question (the full page), question-htmx, answer (htmx POSTs into fresh quizzes), results,
dashboard, dashboard-after-answer (its per-learner cache key moved, as an answer does). The learner
is bench-learner-00001 when the database holds the generated data, else the demo `learner`. The
wall time per request is measured first without the profiler. The quizzes and the login session it
creates are deleted at the end and the learner's progress row is put back.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("LOG_LEVEL", "CRITICAL")
os.environ.setdefault("ACCESS_LOG_LEVEL", "CRITICAL")

import micro  # noqa: E402  (sets Django up the same way)
from django.test.utils import override_settings  # noqa: E402

from quizzes import services  # noqa: E402
from quizzes.models import QuizSession  # noqa: E402


def requests_for(bench: micro.Bench, path: str, count: int):
    """`count` callables, each one request of the path, prepared outside the timings."""
    client = bench.client
    if path in {"question", "question-htmx"}:
        session = bench.new_session()
        headers = micro.HTMX if path == "question-htmx" else {}
        return [lambda i=i: client.get(f"/quiz/{session.pk}/q/{i % 10 + 1}/", headers=headers) for i in range(count)]
    if path == "answer":
        answers = bench.unanswered(count)
        return [lambda a=a: client.post(f"/quiz/{a[0]}/q/{a[1]}/answer/", {"option": a[2]}, headers=micro.HTMX)
                for a in answers[:count]]
    if path == "results":
        answers = bench.unanswered(10)
        finished = answers[0][0]
        for session_id, number, option in answers[:10]:
            client.post(f"/quiz/{session_id}/q/{number}/answer/", {"option": option})
        services.finish_session(session=QuizSession.objects.get(pk=finished))
        return [lambda: client.get(f"/quiz/{finished}/results/")] * count
    if path == "dashboard":
        return [lambda: client.get("/dashboard/")] * count
    if path == "dashboard-after-answer":
        return [lambda: micro.touch_progress(bench.learner) or client.get("/dashboard/")] * count
    raise SystemExit(f"unknown path {path!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", choices=["question", "question-htmx", "answer", "results", "dashboard", "dashboard-after-answer"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative, ...)")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--dump", type=Path, help="Also write the raw profile here (for snakeviz etc.).")
    args = parser.parse_args()

    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, FREE_DAILY_QUESTION_LIMIT=10**6):
        bench = micro.Bench(repeat=0, warmup=0, explain_path=None)
        before = micro.progress_of(bench.learner)
        before = {k: v for k, v in before.items() if k not in {"user_id", "updated_at"}} if before else None
        try:
            warm = requests_for(bench, args.path, 20)
            for request in warm:
                request()
            timed = requests_for(bench, args.path, args.requests)
            started = time.perf_counter()
            for request in timed:
                assert request().status_code in (200, 302)
            wall = (time.perf_counter() - started) / len(timed) * 1000
            profiled = requests_for(bench, args.path, args.requests)
            profiler = cProfile.Profile()
            profiler.enable()
            for request in profiled:
                request()
            profiler.disable()
        finally:
            bench.cleanup(before)

    print(f"{args.path}: {wall:.2f} ms a request without the profiler ({args.requests} requests)")
    stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
    if args.dump:
        stats.dump_stats(args.dump)
    stats.print_stats(args.limit)


if __name__ == "__main__":
    main()
