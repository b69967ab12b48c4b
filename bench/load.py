"""Load test: gunicorn serving the app with its production settings on loopback, and this process as
--concurrency logged-in learners (asyncio, one connection per request as through a proxy), in
phases of --duration seconds back to back (interleaved in --rounds rounds):

  healthz     GET /healthz (one SELECT 1): the floor, what the machine can do at all
  login       GET /quiz/<id>/ (a redirect to where the learner stands): the cheapest request that
              reads a learner's login (session, user, the quiz's row; no template), the ceiling of
              any page for a logged-in learner
  loop        the learner loop: start a quiz (random filters), answer ten questions (question
              page, then htmx answer POST and htmx next question), finish, view the results
  question    question fragments only (htmx), every question of a quiz in turn (the full page is
              measured in the loop phase and by the micro-benchmarks)
  answer      answer POSTs (htmx) only, into quizzes prepared before the phase

Per endpoint: requests, requests/s, p50/p95/p99 latency, errors. After the phases: each gunicorn
worker's resident memory. Learners are logged in by creating their sessions in the database (the
same SECRET_KEY as the server); everything the test creates is deleted at the end.

    DATABASE_URL=... SECRET_KEY=... python bench/load.py --out load.json [--duration 60] [--concurrency 32]
"""

import argparse
import asyncio
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certquiz.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from quizzes import services  # noqa: E402
from quizzes.models import Question, QuizSession  # noqa: E402

OPTION = re.compile(r'name="option" value="([0-9a-f-]{36})"')
START_FILTERS = [
    {},
    {"exam": "CCNA"},
    {"exam": "CCNP_ENCOR"},
    {"exam": "CCNP_ENARSI", "category": "OSPF"},
    {"exam": "CCNA", "category": "NETWORK_ACCESS", "tags": "vlan"},
    {"tags": "bgp, eigrp"},
]
PHASES = {"healthz": "healthz", "login": "logins", "loop": "loop", "question": "questions", "answer": "answers"}
SERVER_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    # The free daily limit stays on (its count runs on each answer) but never stops the test.
    "FREE_DAILY_QUESTION_LIMIT": "1000000",
}


class Stats:
    def __init__(self):
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.error_samples = {}

    def record(self, endpoint: str, started: float, response, ok: bool, note: str = ""):
        if ok:
            self.latencies[endpoint].append((time.perf_counter() - started) * 1000)
        else:
            self.errors[endpoint] += 1
            self.error_samples.setdefault(endpoint, note or (f"HTTP {response.status_code}" if response else "?"))

    def summary(self, elapsed: float) -> dict:
        result = {}
        for endpoint in sorted(set(self.latencies) | set(self.errors)):
            values = sorted(self.latencies[endpoint])
            pick = lambda q: round(values[min(len(values) - 1, math.ceil(q * len(values)) - 1)], 1) if values else None  # noqa: E731
            result[endpoint] = {
                "requests": len(values),
                "rps": round(len(values) / elapsed, 1),
                "p50_ms": pick(0.50),
                "p95_ms": pick(0.95),
                "p99_ms": pick(0.99),
                "mean_ms": round(statistics.fmean(values), 1) if values else None,
                "errors": self.errors.get(endpoint, 0),
                **({"error_sample": self.error_samples[endpoint]} if endpoint in self.error_samples else {}),
            }
        return result


@dataclass
class Response:
    status_code: int
    headers: dict
    text: str


class HttpError(Exception):
    pass


async def http(host: str, port: int, method: str, path: str, headers: dict, data: dict | None = None,
               timeout: float = 60) -> Response:
    """One HTTP/1.1 request on its own connection (Connection: close), read to the end. A client this
    small costs the load test a fraction of a millisecond of CPU per request (httpx cost several
    milliseconds here, which made the client, not the server, the limit of the /healthz floor)."""
    body = urlencode(data or {}, doseq=True).encode() if method == "POST" else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers.items())]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            return await reader.read()
        finally:
            writer.close()

    try:
        raw = await asyncio.wait_for(exchange(), timeout)
    except (OSError, asyncio.TimeoutError) as error:
        raise HttpError(f"{type(error).__name__}: {error}") from None
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(status_line.split()[1])
    except (IndexError, ValueError):
        raise HttpError(f"bad response: {status_line[:80]!r}") from None
    response_headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        response_headers[name.strip().lower()] = value.strip()
    if response_headers.get("transfer-encoding", "").lower() == "chunked":
        chunks, rest = [], payload
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if not size:
                break
            chunks.append(rest[:size])
            rest = rest[size + 2:]
        payload = b"".join(chunks)
    return Response(status, response_headers, payload.decode("utf-8", "replace"))


class Learner:
    """One virtual learner: a logged-in browser with its own cookies. Each request opens its own
    connection (Connection: close), as a reverse proxy in front of gunicorn does by default: with
    long-lived keep-alive connections, whichever worker accepted a learner's connection would
    serve all its requests, and one worker often grabs most of them (an idle second worker)."""

    def __init__(self, user: User, host: str, port: int):
        self.user, self.host, self.port = user, host, port
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        self.session_key = store.session_key
        csrf = get_random_string(32)  # a CSRF secret; sent back unmasked in the header, as Django accepts
        self.headers = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
            "User-Agent": "certquiz-bench",
        }
        self.rng = random.Random(user.pk.int)
        self.quiz: dict | None = None  # where the learner stands in the loop
        self.prepared: list[tuple] = []  # (session id, number, option id) for the answer phase
        self.pages: list[tuple] = []  # (session id, number) for the question phase

    async def timed(self, stats: Stats, endpoint: str, method: str, url: str, expect: tuple, data=None,
                    headers=None):
        started = time.perf_counter()
        try:
            response = await http(self.host, self.port, method, url, {**self.headers, **(headers or {})}, data)
        except HttpError as error:
            stats.record(endpoint, started, None, False, str(error))
            return None
        ok = response.status_code in expect
        stats.record(endpoint, started, response, ok)
        return response if ok else None

    async def healthz(self, stats: Stats, deadline: float) -> None:
        while time.monotonic() < deadline:
            await self.timed(stats, "healthz", "GET", "/healthz", (200,))

    async def logins(self, stats: Stats, deadline: float) -> None:
        session_id = self.pages[0][0]
        while time.monotonic() < deadline:
            await self.timed(stats, "resume redirect", "GET", f"/quiz/{session_id}/", (302,))

    async def loop(self, stats: Stats, deadline: float) -> None:
        """The learner loop, one request per step. Where the learner stands (self.quiz: the quiz's
        path, the question number, the next step, the options on screen) outlives the slice, so a
        quiz cut by a slice's end goes on in the next round."""
        htmx = {"HX-Request": "true"}
        while time.monotonic() < deadline:
            quiz = self.quiz
            if quiz is None:
                data = {"mode": "practice", "count": 10, **self.rng.choice(START_FILTERS)}
                response = await self.timed(stats, "start POST", "POST", "/quiz/start/", (302,), data=data)
                if response is None:
                    await asyncio.sleep(0.1)
                else:
                    path = response.headers["location"].rsplit("/q/", 1)[0]
                    self.quiz = {"path": path, "number": 1, "step": "page", "options": []}
                continue
            path, number, step = quiz["path"], quiz["number"], quiz["step"]
            if step == "page":  # the first question as a page, the next ones as htmx partials
                endpoint = "question page (full)" if number == 1 else "question page (htmx)"
                page = await self.timed(stats, endpoint, "GET", f"{path}/q/{number}/", (200,),
                                        headers=None if number == 1 else htmx)
                quiz.update(step="answer", options=OPTION.findall(page.text)) if page else self.drop_quiz()
            elif step == "answer":
                options = quiz["options"]
                answer = await self.timed(stats, "answer POST (htmx)", "POST", f"{path}/q/{number}/answer/", (200,),
                                          data={"option": self.rng.choice(options)} if options else {}, headers=htmx)
                if answer is not None and number < 10 and f"{path}/q/{number + 1}/" in answer.text:
                    quiz.update(number=number + 1, step="page")
                else:
                    quiz.update(step="finish")
            elif step == "finish":
                finish = await self.timed(stats, "finish POST", "POST", f"{path}/finish/", (302,))
                quiz.update(step="results", results=finish.headers["location"]) if finish else self.drop_quiz()
            else:
                await self.timed(stats, "results page", "GET", quiz["results"], (200,))
                self.drop_quiz()

    def drop_quiz(self) -> None:
        self.quiz = None

    async def questions(self, stats: Stats, deadline: float) -> None:
        i = 0
        while time.monotonic() < deadline:
            session_id, number = self.pages[i % len(self.pages)]
            i += 1
            await self.timed(stats, "question page (htmx)", "GET", f"/quiz/{session_id}/q/{number}/", (200,),
                             headers={"HX-Request": "true"})

    async def answers(self, stats: Stats, deadline: float) -> None:
        while time.monotonic() < deadline and self.prepared:
            session_id, number, option = self.prepared.pop(0)
            await self.timed(stats, "answer POST (htmx)", "POST", f"/quiz/{session_id}/q/{number}/answer/", (200,),
                             data={"option": option}, headers={"HX-Request": "true"})
        if not self.prepared and time.monotonic() < deadline:
            stats.record("answer POST (htmx)", time.perf_counter(), None, False, "ran out of prepared questions")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn -c gunicorn.conf.py certquiz.wsgi, started and stopped by this process."""

    def __init__(self, config: Path, port: int, log: Path):
        self.port = port
        self.log = log.open("w")
        env = {**os.environ, **SERVER_ENV}
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(config), "certquiz.wsgi",
                   "--bind", f"127.0.0.1:{port}"]
        if not Path(command[0]).exists():
            command[0] = "gunicorn"
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}: see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer /healthz within {timeout}s: see {self.log.name}")

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def cpu_snapshot(self) -> dict:
        """CPU seconds of the live workers, and of the ones already recycled (max_requests): the
        master's reaped children, without which a fast phase lost most of its workers' CPU."""
        times = cpu_snapshot(self.workers())
        try:
            master = psutil.Process(self.process.pid).cpu_times()
            times["recycled workers"] = master.children_user + master.children_system
        except psutil.Error:
            pass
        return times

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class DatabaseProcesses:
    """The server's processes working for the bench database (their titles name it), when the
    server runs on this machine: for CPU accounting only."""

    def __init__(self):
        self.postmaster, self.dbname = None, connection.settings_dict["NAME"]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            self.postmaster = psutil.Process(backend).parent()
        except (psutil.Error, Exception):
            self.postmaster = None
        connection.close()

    def __call__(self) -> list[psutil.Process]:
        if self.postmaster is None:
            return []
        found = []
        for process in self.postmaster.children():
            try:
                if f" {self.dbname} " in " ".join(process.cmdline()) + " ":
                    found.append(process)
            except psutil.Error:
                pass
        return found


def cpu_snapshot(processes) -> dict:
    times = {}
    for process in processes:
        try:
            cpu = process.cpu_times()
            times[process.pid] = cpu.user + cpu.system
        except psutil.Error:
            pass
    return times


def cpu_used(before: dict, after: dict) -> float:
    """CPU seconds between two snapshots; a process that appeared in between counts from zero. With
    the reaped children's total (Server.cpu_snapshot), a worker recycled in between is in it for its
    whole life: what it had used by the first snapshot comes off."""
    used = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    if "recycled workers" in after:
        used -= sum(seconds for pid, seconds in before.items() if pid not in after)
    return used


def pick_users(count: int) -> tuple[list[User], list]:
    """Free learners with a history (the generated ones after the power learner), else temporary ones."""
    users = list(User.objects.filter(username__startswith="bench-learner-", role=Role.USER, quiz_sessions__isnull=False)
                 .exclude(username="bench-learner-00001").distinct().order_by("username")[:count])
    created = []
    while len(users) < count:
        user = User.objects.create_user(f"bench-load-{len(created):03d}", f"bench-load-{len(created):03d}@bench.invalid")
        created.append(user.pk)
        users.append(user)
    return users, created


def prepare_quizzes(learners: list[Learner], answers_each: int) -> None:
    """Quizzes of 100 picked questions per learner, straight through the service (not timed)."""
    ids = list(Question.objects.active().filter(is_premium=False).values_list("id", flat=True))
    for learner in learners:
        learner.prepared = []
        while len(learner.prepared) < answers_each:
            picked = learner.rng.sample(ids, min(100, len(ids)))
            session = services.start_session(user=learner.user, count=len(picked), question_ids=picked).session
            for sq in session.session_questions.order_by("question_order"):
                learner.prepared.append((session.pk, sq.question_order + 1, str(learner.rng.choice(sq.option_order))))
        picked = learner.rng.sample(ids, min(10, len(ids)))
        session = services.start_session(user=learner.user, count=len(picked), question_ids=picked).session
        learner.pages = [(session.pk, n) for n in range(1, session.question_count + 1)]
    connection.close()


class Phase:
    """One phase's figures, added up over its slices (--rounds interleaves the phases)."""

    def __init__(self, name: str):
        self.name, self.stats, self.seconds = name, Stats(), 0.0
        self.cpu = defaultdict(float)
        self.busy = self.total = 0.0

    def result(self) -> dict:
        elapsed = self.seconds or 1.0
        endpoints = self.stats.summary(elapsed)
        requests = sum(e["requests"] for e in endpoints.values())
        return {
            "seconds": round(self.seconds, 1),
            "total_rps": round(requests / elapsed, 1),
            "endpoints": endpoints,
            "cpu_cores_used": {
                **{who: round(seconds / elapsed, 2) for who, seconds in self.cpu.items()},
                "machine_busy_percent": round(100 * self.busy / self.total, 1) if self.total else None,
            },
        }

    def print(self) -> None:
        result = self.result()
        cpu = result["cpu_cores_used"]
        print(f"  {self.name:<9} {result['seconds']:5.1f}s  {result['total_rps']:>7.1f} req/s  CPU cores: gunicorn "
              f"{cpu.get('gunicorn_workers')}, postgres {cpu.get('postgres')}, client {cpu.get('load_client')}; "
              f"machine {cpu.get('machine_busy_percent')}% busy", flush=True)
        for endpoint, figures in result["endpoints"].items():
            print(f"      {endpoint:<24} {figures['rps']:>7.1f}/s  p50 {figures['p50_ms']} p95 {figures['p95_ms']} "
                  f"p99 {figures['p99_ms']} ms  errors {figures['errors']}"
                  + (f" ({figures['error_sample']})" if figures.get("error_sample") else ""), flush=True)


def busy_seconds(times) -> float:
    return times.user + times.system + times.nice + getattr(times, "irq", 0) + getattr(times, "softirq", 0)


async def run_slice(phase: Phase, learners: list[Learner], seconds: float, server: Server, database) -> None:
    groups = {"gunicorn_workers": server.cpu_snapshot, "postgres": lambda: cpu_snapshot(database()),
              "load_client": lambda: cpu_snapshot([psutil.Process()])}
    before = {who: snapshot() for who, snapshot in groups.items()}
    machine_before, started = psutil.cpu_times(), time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(getattr(learner, PHASES[phase.name])(phase.stats, deadline) for learner in learners))
    phase.seconds += time.perf_counter() - started
    machine_after = psutil.cpu_times()
    for who, snapshot in groups.items():
        phase.cpu[who] += cpu_used(before[who], snapshot())
    phase.busy += busy_seconds(machine_after) - busy_seconds(machine_before)
    phase.total += sum(machine_after) - sum(machine_before)


async def run_phases(args, learners: list[Learner], server: Server, database) -> dict:
    """The warm-up, then --rounds rounds of every phase (each --duration / --rounds seconds), so that
    other work on the machine weighs on every phase alike. Preparing the quizzes of the question and
    answer phases is database work done before, in a thread (Django's ORM is synchronous)."""
    warmup = Phase("loop")
    await run_slice(warmup, learners, args.warmup, server, database)
    print(f"  warm-up   {warmup.result()['total_rps']:.1f} req/s", flush=True)
    WARM_MEMORY.extend(worker_memory(server))
    if {"question", "answer", "login"} & set(args.phases):
        rate = max(warmup.result()["total_rps"], 20)
        per_learner = int(rate * 1.5 * args.duration / len(learners)) + 20 if "answer" in args.phases else 0
        await asyncio.to_thread(prepare_quizzes, learners, per_learner)
    phases = {name: Phase(name) for name in args.phases}
    for _ in range(args.rounds):
        for phase in phases.values():
            await run_slice(phase, learners, args.duration / args.rounds, server, database)
    for phase in phases.values():
        phase.print()
    return {name: phase.result() for name, phase in phases.items()}


WARM_MEMORY: list = []  # worker memory right after the warm-up, to measure growth over the run


def worker_memory(server) -> list:
    memory = []
    for worker in server.workers():
        try:
            info = worker.memory_full_info()
            memory.append({"pid": worker.pid, "rss_mb": round(info.rss / 2**20, 1), "uss_mb": round(info.uss / 2**20, 1)})
        except psutil.Error:
            pass
    return memory


def run(args) -> dict:
    started_at = timezone.now()
    users, temporary = pick_users(args.concurrency)
    database = DatabaseProcesses()
    server = Server(args.config, args.port or free_port(), args.server_log)
    learners = [Learner(user, "127.0.0.1", server.port) for user in users]
    connection.close()
    result = {"concurrency": args.concurrency, "duration": args.duration, "rounds": args.rounds,
              "config": str(args.config)}
    try:
        server.wait_ready()
        result["gunicorn"] = {"workers": len(server.workers()), "log": str(args.server_log)}
        print(f"gunicorn at {server.url} with {len(server.workers())} workers; {args.concurrency} learners; "
              f"phases of {args.duration:g}s", flush=True)
        result["phases"] = asyncio.run(run_phases(args, learners, server, database))
        memory = worker_memory(server)
        result["workers_memory"] = memory
        result["workers_memory_after_warmup"] = list(WARM_MEMORY)
        print("  worker memory: " + ", ".join(f"RSS {m['rss_mb']} MB (USS {m['uss_mb']})" for m in memory))
        warm = {m["pid"]: m["rss_mb"] for m in WARM_MEMORY}
        growth = [round(100 * (m["rss_mb"] / warm[m["pid"]] - 1), 1) for m in memory if m["pid"] in warm]
        if growth:
            result["workers_rss_growth_percent"] = growth
            print(f"  RSS growth since the warm-up (same workers): {growth} %")
    finally:
        server.stop()
        connections.close_all()
        QuizSession.objects.filter(user__in=users, started_at__gte=started_at).delete()
        Session.objects.filter(session_key__in=[learner.session_key for learner in learners]).delete()
        User.objects.filter(pk__in=temporary).delete()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write.")
    parser.add_argument("--duration", type=float, default=60, help="Seconds per phase (default 60).")
    parser.add_argument("--warmup", type=float, default=10, help="Seconds of learner loop first, not counted.")
    parser.add_argument("--rounds", type=int, default=3,
                        help="Interleave the phases in this many rounds, against drift (default 3).")
    parser.add_argument("--concurrency", type=int, default=32, help="Learners at once (default 32).")
    parser.add_argument("--phases", nargs="+", default=["healthz", "login", "loop", "question", "answer"],
                        choices=list(PHASES))
    parser.add_argument("--config", type=Path, default=ROOT / "gunicorn.conf.py")
    parser.add_argument("--port", type=int, default=0, help="Port for gunicorn (default: a free one).")
    parser.add_argument("--server-log", type=Path, default=ROOT / "bench" / "results" / "gunicorn.log")
    args = parser.parse_args()
    args.server_log.parent.mkdir(parents=True, exist_ok=True)
    result = run(args)
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
