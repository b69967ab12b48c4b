"""Fill the current database with the benchmark data set (bench/README.md): at --scale 1, 100,000
questions with 4 to 6 options over 3 exams and 12 categories, with tags; 10,000 learners; 200,000
quiz sessions holding about 2,000,000 answered session questions and their selected options;
bookmarks, premium subscriptions, user_progress rows and the milestone badges they earn.

Rows go in through PostgreSQL COPY (psycopg 3's cursor.copy()) from a second thread, the quiz
history in the order it was taken (see Spool), in one transaction: a failure writes nothing. Everything comes from --seed (ids,
texts, picks, answers) and --today (the history ends when that day begins; default today, so the
history stays recent): the same seed and day give the same rows.

It refuses a database that holds more than the demo data (load_demo_data) unless --force. The
catalogue (3 exams, 12 categories) is the demo one, completed with what is missing.
"""

import json
import math
import queue
import random
import sys
import tempfile
import threading
import time
import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import Role, User
from billing.models import Subscription
from certquiz.management.commands.load_demo_data import DEMO_ACCOUNTS, QUESTIONS_PATH, question_id, read_json
from gamification.models import Badge, UserBadge, UserProgress
from quizzes import rendering
from quizzes.models import (
    Bookmark,
    Category,
    Exam,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionOption,
    QuizSession,
    SessionQuestion,
    SessionSelectedOption,
)

# Bump when the rows generated for a seed change: bench/run regenerates a data set of another version.
DATASET_VERSION = 1
FULL_SIZE = {"questions": 100_000, "learners": 10_000, "sessions": 200_000}
# The power learner (the first one) gets this many sessions at --scale 1: the benchmarks' "learner
# with history" (bench/micro.py), about ten times the average.
POWER_LEARNER_SESSIONS = 500
LEARNER_PREFIX = "bench-learner-"
LEARNER_PASSWORD = "bench-learner-password"  # the same for all: one hash, computed once
AUTHOR_USERNAME = "bench-author"

EXAMS = {
    "CCNA": "Cisco Certified Network Associate (200-301)",
    "CCNP_ENCOR": "CCNP Enterprise Core (350-401 ENCOR)",
    "CCNP_ENARSI": "CCNP Enterprise Advanced Routing and Services (300-410 ENARSI)",
}
# Category code: (name, exam it mostly belongs to, its tags; the first is the most used).
CATEGORIES = {
    "NETWORK_FUNDAMENTALS": ("Network Fundamentals", "CCNA",
                             ["subnetting", "ipv4-addressing", "ipv6", "vlsm", "transport-layer", "udp"]),
    "NETWORK_ACCESS": ("Network Access", "CCNA", ["vlan", "stp", "wireless", "switch-security", "etherchannel", "rf"]),
    "IP_CONNECTIVITY": ("IP Connectivity", "CCNA",
                        ["static-routing", "routing-table", "administrative-distance", "ospf", "fhrp", "hsrp"]),
    "IP_SERVICES": ("IP Services", "CCNA", ["nat", "pat", "dhcp", "ntp", "snmp", "syslog"]),
    "SECURITY_FUNDAMENTALS": ("Security Fundamentals", "CCNP_ENCOR",
                              ["acl", "aaa", "device-hardening", "port-security", "ipsec", "802.1x"]),
    "AUTOMATION_PROGRAMMABILITY": ("Automation and Programmability", "CCNP_ENCOR",
                                   ["rest-api", "json", "ansible", "netconf", "sdn", "python"]),
    "QOS": ("Quality of Service", "CCNP_ENCOR", ["qos-marking", "dscp", "queuing", "policing", "shaping", "cos"]),
    "NETWORK_ASSURANCE": ("Network Assurance", "CCNP_ENCOR",
                          ["netflow", "ip-sla", "span", "syslog", "debug", "show-commands"]),
    "OSPF": ("OSPF", "CCNP_ENARSI", ["ospf", "ospf-lsa", "ospf-areas", "route-summarization", "troubleshooting",
                                     "show-commands"]),
    "BGP": ("BGP", "CCNP_ENARSI", ["bgp", "bgp-attributes", "route-maps", "prefix-lists", "troubleshooting",
                                   "redistribution"]),
    "EIGRP": ("EIGRP", "CCNP_ENARSI", ["eigrp", "eigrp-metrics", "feasible-successor", "route-summarization",
                                       "redistribution", "troubleshooting"]),
    "VPN_TUNNELING": ("VPN and Tunneling", "CCNP_ENARSI",
                      ["gre", "ipsec", "dmvpn", "vrf-lite", "network-virtualization", "virtualization"]),
}
TIME_ZONES = ["UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
              "Asia/Tokyo", "Australia/Sydney"]

WORDS = (
    "router switch interface neighbor adjacency prefix subnet mask gateway area backbone route metric cost "
    "bandwidth delay packet frame header trunk access port address table entry lookup policy map class "
    "tunnel peer session timer hello dead update redistribution summary default static dynamic protocol "
    "authentication key chain encryption hash lifetime priority election root bridge designated blocking "
    "forwarding learning listening vlan native tagged untagged queue shaper policer marking trust boundary "
    "controller client server request response payload schema device inventory template playbook module"
).split()

# Progress rules (gamification/rules.py defaults), to store progress rows consistent with the answers.
XP_CORRECT, XP_WRONG, XP_SESSION_BONUS, SESSION_BONUS_MIN_ANSWERS = 10, 2, 25, 5
LEVEL_STEP_XP, STUDY_SECONDS_CAP, ACCURACY_BADGE_MIN_ANSWERS = 100, 5 * 60, 20


def copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(value) + "}"  # tags and uuids only: no quoting needed
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def level_for_xp(experience: int) -> int:
    level = (1 + math.isqrt(1 + 8 * max(experience, 0) // LEVEL_STEP_XP)) // 2
    while LEVEL_STEP_XP * (level + 1) * level // 2 <= experience:
        level += 1
    while level > 1 and LEVEL_STEP_XP * level * (level - 1) // 2 > experience:
        level -= 1
    return level


class ProgressBar:
    """One bar on stderr for the whole run: the share of the planned rows done, and the phase."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = max(total, 1), 0, stream
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_tenth = -1
        self.tty = stream.isatty()
        self.phase = ""

    def advance(self, rows: int, phase: str | None = None) -> None:
        self.done += rows
        if phase:
            self.phase = phase
        now = time.monotonic()
        if self.tty and now - self.last_draw >= 0.2:
            self.last_draw = now
            self.draw("\r")
        elif not self.tty and (tenth := min(10, 10 * self.done // self.total)) > self.last_tenth:
            self.last_tenth = tenth
            self.draw("")

    def draw(self, prefix: str, end: str = "") -> None:
        fraction = min(1.0, self.done / self.total)
        filled = int(30 * fraction)
        elapsed = time.monotonic() - self.started
        line = f"{prefix}[{'#' * filled}{'.' * (30 - filled)}] {100 * fraction:5.1f}% {elapsed:6.1f}s  {self.phase:<24}"
        self.stream.write(line + (end or ("" if self.tty else "\n")))
        self.stream.flush()

    def finish(self, phase: str) -> None:
        self.phase = phase
        self.draw("\r" if self.tty else "", end="\n")


class CopyWriter:
    """COPY in a second thread, so the next chunk is generated while the server loads this one. It
    uses the same psycopg connection, so the same transaction; the main thread sends no query
    while it runs (psycopg's connection lock would make one wait anyway)."""

    def __init__(self, pg, on_copied):
        self.pg, self.on_copied = pg, on_copied
        self.queue = queue.Queue(maxsize=2)
        self.error = None
        self.thread = threading.Thread(target=self.run, name="bench-copy", daemon=True)
        self.thread.start()

    def put(self, table: str, columns: list[str], text: str, rows: int, phase: str) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((table, columns, text, rows, phase))

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain what is queued after a failure
            table, columns, text, rows, phase = item
            try:
                with self.pg.cursor() as cursor:
                    with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                        for start in range(0, len(text), 1 << 20):
                            copy.write(text[start:start + (1 << 20)])
                self.on_copied(table, rows, phase)
            except BaseException as error:  # re-raised in the main thread
                self.error = error

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class Spool:
    """The quiz history, kept in files by fortnight of each quiz's start and loaded oldest first. The
    generator works learner by learner (progress is replayed per learner); loaded that way, each
    learner's quizzes would sit together on disk, which flatters every per-learner query."""

    DAYS = 14
    KINDS = ("sessions", "questions", "selected")

    def __init__(self, now: datetime, on_write):
        self.now, self.on_write = now, on_write
        self.directory = tempfile.TemporaryDirectory(prefix="certquiz-bench-")
        self.files = {}
        self.rows = defaultdict(int)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for file in self.files.values():
            file.close()
        self.directory.cleanup()

    def file(self, bucket: int, kind: str):
        key = (bucket, kind)
        if key not in self.files:
            self.files[key] = open(Path(self.directory.name) / f"{bucket:04d}-{kind}.tsv", "w", encoding="utf-8",
                                   buffering=1 << 20)
        return self.files[key]

    def write(self, started: datetime, session: str, questions: list[str], selected: list[str]) -> None:
        bucket = max(0, (self.now - started).days // self.DAYS)
        for kind, lines in zip(self.KINDS, ([session], questions, selected)):
            if lines:
                self.file(bucket, kind).writelines(lines)
                self.rows[(bucket, kind)] += len(lines)
        self.on_write(1 + len(questions) + len(selected))

    def oldest_first(self):
        """(text, rows, kind) per fortnight and kind, the oldest fortnight first, sessions before their rows."""
        for bucket in sorted({bucket for bucket, _ in self.files}, reverse=True):
            for kind in self.KINDS:
                file = self.files.pop((bucket, kind), None)
                if file is None:
                    continue
                file.close()
                path = Path(file.name)
                yield path.read_text(encoding="utf-8"), self.rows[(bucket, kind)], kind
                path.unlink()


@dataclass
class Bank:
    """What the session generator needs to know of each question, by index."""

    ids: list = field(default_factory=list)
    options: list = field(default_factory=list)  # per question: option ids in display order
    correct: list = field(default_factory=list)  # per question: tuple of correct positions
    categories: list = field(default_factory=list)  # per question: category codes
    # (filter kind, value, premium allowed) -> indexes of active questions matching it
    pools: dict = field(default_factory=lambda: defaultdict(list))


@dataclass
class Learner:
    id: str
    time_zone: zoneinfo.ZoneInfo
    premium: bool
    created_at: datetime
    sessions: int = 0


class Command(BaseCommand):
    help = "Fill the database with the large benchmark data set (100,000 questions and a history of 2,000,000 answers)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Seed of every random choice (default 7).")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Fraction of the full size, e.g. 0.01 for a quick run (default 1).")
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="The history ends when this day begins (YYYY-MM-DD, default today): with --seed, "
                                 "the same rows.")
        parser.add_argument("--force", action="store_true",
                            help="Run even though the database holds more than the demo data.")

    def handle(self, *args, seed: int, scale: float, today: date | None, force: bool, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if connection.vendor != "postgresql":
            raise CommandError("generate_bench_data needs PostgreSQL (it loads with COPY).")
        self.rng = random.Random(seed)
        self.scale = scale
        self.sizes = {name: max(1, round(size * scale)) for name, size in FULL_SIZE.items()}
        # The history ends when --today begins (midnight UTC): the same seed and day, the same rows.
        self.now = datetime.combine(today or datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)
        self.refuse_unless_demo_only(force)

        # Rows: questions and their links, learners, and the history twice (generated, then loaded).
        planned = self.sizes["questions"] * 8 + self.sizes["learners"] * 2 + self.sizes["sessions"] * 24 * 2
        self.bar = ProgressBar(planned)
        self.counts = defaultdict(int)
        started = time.monotonic()
        with transaction.atomic():
            connection.ensure_connection()
            self.pg = connection.connection  # the psycopg 3 connection, inside Django's transaction
            self.fast = self.skip_constraint_triggers()
            self.run_sql("SET LOCAL synchronous_commit = off")
            exams, categories = self.catalogue()
            author = self.author()
            indexes = self.drop_secondary_indexes()
            self.writer = CopyWriter(self.pg, self.copied)
            try:
                bank = self.questions(exams, categories, author)
                self.learners_and_history(bank, exams, categories)
            finally:
                self.writer.close()
            self.bar.finish("indexing")
            self.recreate_indexes(indexes)
            self.badges()
        self.bar.finish("analyzing")
        self.analyze()
        elapsed = time.monotonic() - started
        self.bar.finish(f"done in {elapsed:.0f}s")
        self.stdout.write(f"Bench data generated in {elapsed:.1f}s (seed {seed}, scale {scale:g}, "
                          f"{'constraint triggers skipped' if self.fast else 'constraints checked'}):")
        for table, count in self.counts.items():
            self.stdout.write(f"  {table:<26}{count:>12,}")
        self.stdout.write(f"Learners {LEARNER_PREFIX}00001 (the one with the longest history) to "
                          f"{LEARNER_PREFIX}{self.sizes['learners']:05d}, password {LEARNER_PASSWORD!r}.")

    # --- guards and connection settings ---

    def refuse_unless_demo_only(self, force: bool) -> None:
        demo_file = QUESTIONS_PATH
        demo_ids = {question_id(item["question_text"]) for item in read_json(demo_file).get("questions", [])}
        extra = {
            "questions not in the demo file": Question.objects.exclude(pk__in=demo_ids).count(),
            "accounts other than the demo ones": User.objects.exclude(role=Role.GUEST).exclude(
                username__in=[account.username for account in DEMO_ACCOUNTS]).count(),
            "quiz sessions": QuizSession.objects.count(),
        }
        found = {what: count for what, count in extra.items() if count}
        if found and not force:
            listed = ", ".join(f"{count:,} {what}" for what, count in found.items())
            raise CommandError(
                f"This database holds more than the demo data ({listed}): generate_bench_data is meant for a "
                f"database of its own (bench/run creates certquiz_bench_large). Use --force to add to it anyway.")
        if User.objects.filter(username__startswith=LEARNER_PREFIX).exists():
            raise CommandError("This database already holds generated bench data: use a fresh database.")

    def skip_constraint_triggers(self) -> bool:
        """The rows are consistent by construction: as a superuser, skip the foreign-key triggers
        (session_replication_role) for speed; otherwise check them row by row as they arrive."""
        try:
            with transaction.atomic():
                self.run_sql("SET LOCAL session_replication_role = replica")
            return True
        except DatabaseError:
            self.run_sql("SET CONSTRAINTS ALL IMMEDIATE")
            return False

    def drop_secondary_indexes(self) -> list[str]:
        """The big tables' indexes that back no constraint, dropped for the load and built again
        after it (much faster than updating them row by row); in the same transaction, so a failure
        leaves them as they were."""
        tables = [model._meta.db_table for model in (QuestionOption, QuestionExam, QuestionCategory, QuizSession,
                                                     SessionQuestion, SessionSelectedOption, Bookmark)]
        rows = self.run_sql("""
            SELECT index.indexrelid::regclass::text, pg_get_indexdef(index.indexrelid)
              FROM pg_index index JOIN pg_class rel ON rel.oid = index.indrelid
             WHERE rel.relname = ANY(%s) AND rel.relnamespace = 'public'::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = index.indexrelid)""", [tables])
        for name, _ in rows:
            self.run_sql(f"DROP INDEX {name}")
        return [definition for _, definition in rows]

    def recreate_indexes(self, definitions: list[str]) -> None:
        self.run_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            self.run_sql(definition)
            self.bar.advance(0, "indexing")

    def run_sql(self, sql: str, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def copy(self, model, columns: list[str], lines: list[str], phase: str) -> None:
        """COPY `lines` (tab-separated, newline-terminated) into the model's table, in the background."""
        if lines:
            self.writer.put(model._meta.db_table, columns, "".join(lines), len(lines), phase)

    def copied(self, table: str, rows: int, phase: str) -> None:
        self.counts[table] += rows
        self.bar.advance(rows, phase)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moment(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    # --- catalogue and questions ---

    def catalogue(self) -> tuple[dict, dict]:
        """The demo's exams and categories by code, with those missing created (12 categories)."""
        exams = {}
        for order, (code, name) in enumerate(EXAMS.items(), start=1):
            exams[code] = Exam.objects.get_or_create(code=code, defaults={"name": name, "display_order": order})[0].pk
        categories = {}
        for order, (code, (name, _, _)) in enumerate(CATEGORIES.items(), start=1):
            categories[code] = Category.objects.get_or_create(
                code=code, defaults={"name": name, "display_order": order})[0].pk
        return exams, categories

    def author(self) -> str:
        admin = User.objects.filter(role=Role.ADMIN).order_by("created_at").first()
        if admin is None:
            admin = User.objects.create_superuser(AUTHOR_USERNAME, f"{AUTHOR_USERNAME}@bench.certquiz.invalid", None)
        return str(admin.pk)

    def sentence(self, length: int) -> str:
        words = self.rng.choices(WORDS, k=length)
        return " ".join(words).capitalize() + "."

    def questions(self, exams: dict, categories: dict, author: str) -> Bank:
        rng, bank = self.rng, Bank()
        codes = list(CATEGORIES)
        by_exam = defaultdict(list)
        for code, (_, exam, _) in CATEGORIES.items():
            by_exam[exam].append(code)
        total = self.sizes["questions"]
        chunk = 5000
        for first in range(0, total, chunk):
            questions, options, exam_links, category_links = [], [], [], []
            for index in range(first, min(first + chunk, total)):
                qid = self.uuid()
                code = codes[index % len(codes)]
                _, exam, tags_pool = CATEGORIES[code]
                question_categories = [code]
                if rng.random() < 0.15:
                    question_categories.append(rng.choice([c for c in by_exam[exam] if c != code]))
                question_exams = [exam]
                if rng.random() < 0.25:
                    question_exams.append(rng.choice([e for e in EXAMS if e != exam]))
                tags = [tags_pool[0] if rng.random() < 0.5 else rng.choice(tags_pool)]
                for _ in range(rng.choice((0, 1, 1, 2))):
                    tag = rng.choice(tags_pool)
                    if tag not in tags:
                        tags.append(tag)
                multiple = rng.random() < 0.15
                count = rng.choices((4, 5, 6), weights=(60, 25, 15))[0]
                correct = tuple(sorted(rng.sample(range(count), rng.choice((2, 2, 3)) if multiple else 1)))
                status = rng.choices(("active", "pending", "archived"), weights=(94, 4, 2))[0]
                premium = rng.random() < 0.15
                created = self.moment(self.now - timedelta(days=730), self.now - timedelta(days=1))
                text = (f"{self.sentence(rng.randint(12, 30))}\n\n`{tags[0]}` scenario {index + 1}: "
                        f"{self.sentence(rng.randint(8, 20))} Which statement is true?")
                detailed = self.sentence(rng.randint(40, 90)) if rng.random() < 0.5 else None
                explanation = self.sentence(rng.randint(25, 60))
                # COPY skips save(): the HTML is rendered here, as the models would (options are plain text).
                questions.append("\t".join(map(copy_text, (
                    qid, tags, text, "multiple" if multiple else "single", explanation,
                    detailed, author, rng.random() < 0.05, premium, status, created, created,
                    rendering.render(text, rendering.MARKDOWN), rendering.render(explanation, rendering.MARKDOWN),
                    rendering.render(detailed, rendering.MARKDOWN)))) + "\n")
                option_ids = [self.uuid() for _ in range(count)]
                for order, option_id in enumerate(option_ids):
                    option_text = self.sentence(rng.randint(3, 12))
                    options.append("\t".join(map(copy_text, (
                        option_id, qid, option_text, order in correct, order, created, rendering.PLAIN,
                        rendering.render(option_text, rendering.PLAIN)))) + "\n")
                exam_links += [f"{self.uuid()}\t{qid}\t{exams[e]}\t{copy_text(created)}\n" for e in question_exams]
                category_links += [f"{self.uuid()}\t{qid}\t{categories[c]}\t{copy_text(created)}\n"
                                   for c in question_categories]

                bank.ids.append(qid)
                bank.options.append(option_ids)
                bank.correct.append(correct)
                bank.categories.append(question_categories)
                if status == "active":
                    keys = [("any", None)] + [("exam", e) for e in question_exams] + [
                        ("category", c) for c in question_categories] + [("tag", t) for t in tags]
                    for key in keys:
                        bank.pools[(*key, True)].append(index)
                        if not premium:
                            bank.pools[(*key, False)].append(index)
            self.copy(Question, ["id", "tags", "question_text", "type", "explanation", "detailed_explanation",
                                 "created_by_id", "is_user_generated", "is_premium", "status", "created_at",
                                 "updated_at", "question_html", "explanation_html", "detailed_explanation_html"],
                      questions, "questions")
            self.copy(QuestionOption, ["id", "question_id", "text", "is_correct", "display_order", "created_at",
                                       "text_format", "option_html"], options, "question options")
            self.copy(QuestionExam, ["id", "question_id", "exam_id", "created_at"], exam_links, "question exams")
            self.copy(QuestionCategory, ["id", "question_id", "category_id", "created_at"], category_links,
                      "question categories")
        return bank

    # --- learners and their history ---

    def make_learners(self) -> list[Learner]:
        rng = self.rng
        learners = [
            Learner(self.uuid(), zoneinfo.ZoneInfo(rng.choice(TIME_ZONES)), rng.random() < 0.1,
                    self.moment(self.now - timedelta(days=730), self.now - timedelta(days=2)))
            for _ in range(self.sizes["learners"])
        ]
        power = learners[0]
        power.created_at = self.now - timedelta(days=400)
        power.premium = False  # a free learner: the daily-limit count runs for them
        # Sessions per learner: the power learner's share, the rest spread by a lognormal activity
        # (many learners do little, a few a lot, about one in ten nothing at all).
        total = self.sizes["sessions"]
        power.sessions = min(total, max(1, round(POWER_LEARNER_SESSIONS * self.scale)))
        others = learners[1:]
        weights = [0.0 if rng.random() < 0.1 else rng.lognormvariate(0, 1.0) for _ in others]
        remaining = total - power.sessions
        weight_sum = sum(weights) or 1.0
        shares = [remaining * w / weight_sum for w in weights]
        for learner, share in zip(others, shares):
            learner.sessions = int(share)
        leftover = remaining - sum(learner.sessions for learner in others)
        by_fraction = sorted(range(len(others)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
        for i in by_fraction[:leftover]:
            others[i].sessions += 1
        if not others:
            power.sessions = total
        return learners

    def learners_and_history(self, bank: Bank, exams: dict, categories: dict) -> None:
        learners = self.make_learners()
        password = make_password(LEARNER_PASSWORD)
        users, subscriptions = [], []
        for number, learner in enumerate(learners, start=1):
            username = f"{LEARNER_PREFIX}{number:05d}"
            role = Role.PREMIUM if learner.premium else Role.USER
            last_login = self.moment(learner.created_at, self.now) if learner.sessions else None
            users.append("\t".join(map(copy_text, (
                learner.id, username, f"{username}@bench.certquiz.invalid", role, password, False, True,
                str(learner.time_zone), learner.created_at, learner.created_at, last_login))) + "\n")
            if learner.premium:
                start = self.moment(learner.created_at, self.now)
                subscriptions.append("\t".join(map(copy_text, (
                    learner.id, "premium", "active", start, start + timedelta(days=self.rng.randint(60, 400)), True,
                    start, start))) + "\n")
        self.copy(User, ["id", "username", "email", "role", "password", "is_superuser", "is_active", "time_zone",
                         "created_at", "updated_at", "last_login"], users, "learners")
        self.copy(Subscription, ["user_id", "plan", "status", "start_date", "end_date", "auto_renew", "created_at",
                                 "updated_at"], subscriptions, "subscriptions")

        progress_columns = {f.column for f in UserProgress._meta.concrete_fields}
        exam_codes, category_codes = list(EXAMS), list(CATEGORIES)
        session_cols = ["id", "user_id", "exam_id", "category_id", "question_count", "current_index", "score",
                        "is_paused", "started_at", "completed_at", "mode", "time_limit_minutes", "tags",
                        "last_activity_at"]
        sq_cols = ["session_id", "question_id", "question_order", "answered_at", "is_correct", "option_order",
                   "is_flagged"]
        selected_cols = ["session_id", "question_id", "option_id", "selected_at"]

        with Spool(self.now, lambda rows: self.bar.advance(rows, "generating history")) as spool:
            chunk = 500
            for first in range(0, len(learners), chunk):
                bookmarks, progress = [], []
                for learner in learners[first:first + chunk]:
                    self.history(learner, bank, exams, categories, exam_codes, category_codes,
                                 spool, bookmarks, progress, progress_columns)
                self.copy(Bookmark, ["user_id", "question_id", "created_at"], bookmarks, "bookmarks")
                if progress:
                    self.copy(UserProgress, list(progress[0][0]), [line for _, line in progress], "user progress")
            # The quizzes go in in the order they were taken, everyone's mixed as in production.
            for text, rows, kind in spool.oldest_first():
                model, columns, phase = {
                    "sessions": (QuizSession, session_cols, "quiz sessions"),
                    "questions": (SessionQuestion, sq_cols, "session questions"),
                    "selected": (SessionSelectedOption, selected_cols, "selected options"),
                }[kind]
                self.writer.put(model._meta.db_table, columns, text, rows, phase)

    def history(self, learner: Learner, bank: Bank, exams, categories, exam_codes, category_codes,
                spool: "Spool", bookmarks, progress, progress_columns) -> None:
        rng = self.rng
        skill = rng.uniform(0.45, 0.92)
        starts = sorted(self.moment(learner.created_at, self.now - timedelta(hours=1)) for _ in range(learner.sessions))
        if learner.sessions >= 50:
            # A learner this active practised the evening before too.
            starts[-1] = self.now - timedelta(hours=2)
        total = correct = xp = study = 0
        stats = defaultdict(lambda: [0, 0])
        batches = []  # (final moment, local days) in the order progress saw them
        last_answer = None
        bookmarked = set()
        for position, started in enumerate(starts):
            mode = rng.choices(("practice", "exam", "mistakes", "bookmarked"), weights=(78, 12, 6, 4))[0]
            kind = rng.choices(("any", "exam", "category", "tag"), weights=(30, 40, 20, 10))[0]
            exam = category = None
            tags = []
            if kind == "exam":
                exam = rng.choice(exam_codes)
                key = ("exam", exam)
            elif kind == "category":
                category = rng.choice(category_codes)
                exam = CATEGORIES[category][1]
                key = ("category", category)
            elif kind == "tag":
                tags = [rng.choice(CATEGORIES[rng.choice(category_codes)][2])]
                key = ("tag", tags[0])
            else:
                key = ("any", None)
            pool = bank.pools.get((*key, learner.premium)) or bank.pools.get(("any", None, learner.premium)) or []
            count = min(len(pool), rng.choice((5, 10, 10, 10, 15)) if mode != "exam" else rng.choice((10, 20)))
            if not count:
                continue
            picks = rng.sample(pool, count)
            is_last = position == len(starts) - 1
            finished = rng.random() > (0.3 if is_last else 0.04)
            answered = count if finished else rng.randrange(0, count)
            session_id = self.uuid()
            moment = started
            session_correct = 0
            answers, sqs, selected = [], [], []
            for order, index in enumerate(picks):
                option_ids = bank.options[index]
                shuffled = option_ids[:]
                rng.shuffle(shuffled)
                if order < answered:
                    moment = moment + timedelta(seconds=rng.randint(8, 150))
                    right = rng.random() < skill
                    good = bank.correct[index]
                    if right:
                        chosen = [option_ids[i] for i in good]
                    elif len(good) == 1:
                        chosen = [option_ids[rng.choice([i for i in range(len(option_ids)) if i not in good])]]
                    else:
                        wrong = [i for i in range(len(option_ids)) if i not in good]
                        chosen = [option_ids[good[0]], option_ids[rng.choice(wrong)]]
                    session_correct += right
                    answers.append((moment, right, index))
                    sqs.append(f"{session_id}\t{bank.ids[index]}\t{order}\t{copy_text(moment)}\t{'t' if right else 'f'}"
                               f"\t{{{','.join(shuffled)}}}\t{'t' if mode == 'exam' and rng.random() < 0.05 else 'f'}\n")
                    stamp = copy_text(moment)
                    selected.extend(f"{session_id}\t{bank.ids[index]}\t{option}\t{stamp}\n" for option in chosen)
                    if rng.random() < 0.025 and index not in bookmarked:
                        bookmarked.add(index)
                        bookmarks.append(f"{learner.id}\t{bank.ids[index]}\t{stamp}\n")
                else:
                    sqs.append(f"{session_id}\t{bank.ids[index]}\t{order}\t\\N\t\\N\t{{{','.join(shuffled)}}}\tf\n")
            completed = moment + timedelta(seconds=rng.randint(2, 20)) if finished else None
            time_limit = rng.choice((None, 30, 60, 90)) if mode == "exam" else None
            if time_limit and answers and answers[-1][0] > started + timedelta(minutes=time_limit):
                time_limit = None
            spool.write(started, "\t".join(map(copy_text, (
                session_id, learner.id, exams[exam] if exam else None, categories[category] if category else None,
                count, max(answered - 1, 0) if not finished else count - 1, session_correct if finished else None,
                (not finished) and rng.random() < 0.2, started, completed, mode, time_limit, tags,
                moment if answers else started))) + "\n", sqs, selected)

            # Progress, as the answer service and the session bonus would have recorded it.
            if mode == "exam" and not finished:
                continue
            previous = started
            for answered_at, right, index in answers:
                total += 1
                correct += right
                study += max(0, min(STUDY_SECONDS_CAP, int((answered_at - previous).total_seconds())))
                previous = answered_at
                for code in bank.categories[index]:
                    stats[code][0] += 1
                    stats[code][1] += right
                last_answer = answered_at if last_answer is None else max(last_answer, answered_at)
            days = [answered_at.astimezone(learner.time_zone).date() for answered_at, _, _ in answers]
            if mode == "exam":
                batches.append((completed, sorted(set(days))))
            else:
                batches += [(answer[0], [day]) for answer, day in zip(answers, days)]
            if finished and len(answers) >= SESSION_BONUS_MIN_ANSWERS:
                xp += XP_SESSION_BONUS

        if not learner.sessions:
            return
        streak, last_day = 0, None
        for _, days in sorted(batches, key=lambda batch: batch[0]):
            for day in days:
                if last_day is None or day > last_day:
                    streak = streak + 1 if last_day is not None and day == last_day + timedelta(days=1) else 1
                    last_day = day
        xp += correct * XP_CORRECT + (total - correct) * XP_WRONG
        accuracy = (Decimal(100 * correct) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP) if total else Decimal("0.00")
        values = {
            "user_id": learner.id, "level": level_for_xp(xp), "experience": xp, "total_questions": total,
            "correct_answers": correct, "accuracy": accuracy, "study_time": study // 60, "study_seconds": study,
            "streak": streak, "last_study_date": last_answer, "last_study_day": last_day,
            "category_stats": json.dumps({"version": 1, **{code: {"attempted": a, "correct": c}
                                                           for code, (a, c) in sorted(stats.items())}}),
            "updated_at": last_answer or learner.created_at,
        }
        values = {column: value for column, value in values.items() if column in progress_columns}
        progress.append((values.keys(), "\t".join(map(copy_text, values.values())) + "\n"))

    def badges(self) -> None:
        """Milestone, streak and accuracy badges the stored progress qualifies for (category
        mastery is left out: the dashboard reads the same rows either way)."""
        rows = self.run_sql(f"""
            INSERT INTO "{UserBadge._meta.db_table}" (user_id, badge_id, unlocked_at)
            SELECT progress.user_id, badge.id, progress.last_study_date
              FROM "{UserProgress._meta.db_table}" progress JOIN "{Badge._meta.db_table}" badge ON
                   (badge.requirement_type = 'questions_solved' AND progress.total_questions >= badge.requirement_value)
                OR (badge.requirement_type = 'streak' AND progress.streak >= badge.requirement_value)
                OR (badge.requirement_type = 'accuracy' AND progress.total_questions >= %s
                    AND progress.accuracy >= badge.requirement_value)
             WHERE progress.last_study_date IS NOT NULL
            ON CONFLICT DO NOTHING
            RETURNING 1""", [ACCURACY_BADGE_MIN_ANSWERS])
        self.counts[UserBadge._meta.db_table] += len(rows or [])

    def analyze(self) -> None:
        """Fresh statistics and visibility maps, as autovacuum would leave them after a while (and so
        it does not start in the middle of a benchmark)."""
        tables = sorted(self.counts) + [Exam._meta.db_table, Category._meta.db_table]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
