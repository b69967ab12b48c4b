"""Combine one bench/run's pieces (micro-small.json, micro-large.json, load.json in DIR) with the
machine and data set into one JSON file and a markdown summary with the targets.

    python bench/report.py DIR --json bench/results/<stamp>.json --markdown bench/results/latest.md
"""

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import psutil

import databases

MICRO_RATIO_TARGET = 1.5
# (phase, endpoint) measured against (phase, endpoint), and the least ratio. The pages are measured
# against the cheapest request of a logged-in learner (the login phase's redirect), which is
# measured against /healthz.
LOGIN_FLOOR = ("login", "resume redirect")
LOAD_TARGETS = {
    "question fragment": (("question", "question page (htmx)"), LOGIN_FLOOR, 0.6),
    "answer POST (practice)": (("answer", "answer POST (htmx)"), LOGIN_FLOOR, 0.4),
    "resume redirect": (LOGIN_FLOOR, ("healthz", "healthz"), 0.5),
}
RSS_TARGET_MB = 150


def read(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def read_micro(pieces: Path, label: str) -> dict | None:
    """One size's micro-benchmarks: micro-<label>.json, or the rounds micro-<label>-<n>.json merged,
    each path's figures taken from the round with the lowest median (other work on a shared machine
    only ever adds time; the rounds alternate between the sizes, so both meet the same noise)."""
    rounds = [read(path) for path in sorted(pieces.glob(f"micro-{label}-*.json"))] or [read(pieces / f"micro-{label}.json")]
    rounds = [one for one in rounds if one]
    if not rounds:
        return None
    merged = {**rounds[0], "rounds": len(rounds), "paths": {}}
    for one in rounds:
        for path, figures in one["paths"].items():
            best = merged["paths"].get(path)
            if best is None or (figures.get("median_ms") or float("inf")) < (best.get("median_ms") or float("inf")):
                # the EXPLAIN ANALYZE of the first round stays with the path
                keep = {"slowest_queries": best["slowest_queries"]} if best and "slowest_queries" in best else {}
                merged["paths"][path] = {**figures, **keep}
    return merged


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    info = {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "os": platform.platform(),
    }
    try:
        with databases.connect("postgres") as connection:
            info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
            info["shared_buffers"] = connection.execute("SHOW shared_buffers").fetchone()[0]
    except Exception as error:  # the report still says what it can
        info["postgresql"] = f"unknown ({error})"
    info["database_server"] = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded (pgserver)"
    return info


def dataset(name: str) -> dict:
    info = {"database": name, "marker": databases.info(name)}
    tables = ["questions", "question_options", "users", "quiz_sessions", "session_questions",
              "session_selected_options", "user_progress"]
    try:
        with databases.connect(name) as connection:
            info["rows"] = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
            info["answered"] = connection.execute(
                "SELECT count(*) FROM session_questions WHERE answered_at IS NOT NULL").fetchone()[0]
            info["size"] = connection.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    except Exception as error:
        info["error"] = str(error)
    return info


def micro_rows(small: dict, large: dict) -> list[dict]:
    rows = []
    paths = list(dict.fromkeys([*(small or {}).get("paths", {}), *large["paths"]]))
    for path in paths:
        little = (small or {}).get("paths", {}).get(path) or {}
        big = large["paths"].get(path) or {}
        ratio = (round(big["median_ms"] / little["median_ms"], 2)
                 if big.get("median_ms") and little.get("median_ms") else None)
        failed = [f"{label}: {figures['failed']}" for label, figures in (("small", little), ("large", big))
                  if figures.get("failed")]
        rows.append({
            "path": path,
            "small_median_ms": little.get("median_ms"),
            "large_median_ms": big.get("median_ms"),
            "small_p95_ms": little.get("p95_ms"),
            "large_p95_ms": big.get("p95_ms"),
            "ratio": ratio,
            "meets_target": ratio is not None and ratio <= MICRO_RATIO_TARGET,
            "queries_small": little.get("queries"),
            "queries_large": big.get("queries"),
            "errors": sorted(set(little.get("errors", [])) | set(big.get("errors", []))),
            "failed": failed,
        })
    return rows


def load_ratios(load: dict) -> dict:
    phases = load.get("phases", {})

    def rps(phase_and_endpoint):
        phase, endpoint = phase_and_endpoint
        return phases.get(phase, {}).get("endpoints", {}).get(endpoint, {}).get("rps")

    ratios = {}
    for label, (measured, floor, target) in LOAD_TARGETS.items():
        top, bottom = rps(measured), rps(floor)
        ratio = round(top / bottom, 2) if top is not None and bottom else None
        ratios[label] = {"phase": measured[0], "rps": top, "floor": floor[1], "floor_rps": bottom, "ratio": ratio,
                         "target": target, "meets_target": ratio is not None and ratio >= target}
    memory = load.get("workers_memory", [])
    ratios["worker RSS"] = {"max_rss_mb": max((m["rss_mb"] for m in memory), default=None), "target": RSS_TARGET_MB,
                            "meets_target": bool(memory) and max(m["rss_mb"] for m in memory) < RSS_TARGET_MB}
    return ratios


def fmt(value, suffix="") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}{suffix}" if value < 100 else f"{value:,.0f}{suffix}"
    return f"{value:,}{suffix}"


def ok(flag: bool) -> str:
    return "yes" if flag else "**no**"


def markdown(report: dict) -> str:
    m, data = report["machine"], report["dataset"]
    lines = [f"# CertQuiz benchmarks, {report['finished_at']}", ""]
    lines.append(f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, PostgreSQL {m.get('postgresql')} "
                 f"({m['database_server']}, shared_buffers {m.get('shared_buffers', '?')}), Python {m['python']}; "
                 f"load average when the report was written {m['load_average']} (other work on the machine adds noise: "
                 "compare the ratios, not the absolute times).")
    rows = data.get("rows", {})
    marker = data.get("marker", {})
    lines.append("")
    lines.append(f"Large data set: {fmt(rows.get('questions'))} questions, {fmt(rows.get('question_options'))} options, "
                 f"{fmt(rows.get('users'))} users, {fmt(rows.get('quiz_sessions'))} quiz sessions, "
                 f"{fmt(rows.get('session_questions'))} session questions ({fmt(data.get('answered'))} answered), "
                 f"{fmt(rows.get('session_selected_options'))} selected options; {data.get('size', '?')} on disk; "
                 f"`{marker.get('dataset', '?')}`, generated in {marker.get('generation_seconds') or '?'} s. "
                 "Small: the demo data (`load_demo_data`).")

    if report.get("micro"):
        small, large = report["micro"]["small"], report["micro"]["large"]
        lines += ["", "## Micro-benchmarks", "",
                  f"In-process through Django's test client, production settings; median and p95 of "
                  f"{large['repeat']} requests after {large['warmup']} warm-up, the best of {large.get('rounds', 1)} "
                  f"round(s) alternating between the sizes. Learner: `{small['learner']}` "
                  f"({small['learner_sessions']} quiz sessions) on the small database, `{large['learner']}` "
                  f"({fmt(large['learner_sessions'])} quiz sessions) on the large one; admin pages as the superuser.",
                  "", "| Path | small median ms | large median ms | large p95 ms | ratio large/small | ≤ 1.5 | queries small / large |",
                  "|---|---:|---:|---:|---:|:---:|---:|"]
        for row in report["micro"]["rows"]:
            errors = f" (HTTP {', '.join(map(str, row['errors']))}!)" if row["errors"] else ""
            errors += "".join(f" (failed at {note})" for note in row["failed"])
            lines.append(f"| {row['path']}{errors} | {fmt(row['small_median_ms'])} | {fmt(row['large_median_ms'])} | "
                         f"{fmt(row['large_p95_ms'])} | {fmt(row['ratio'])} | {ok(row['meets_target'])} | "
                         f"{row['queries_small']} / {row['queries_large']} |")
        slow = []
        for path, figures in large["paths"].items():
            for query in figures.get("slowest_queries", [])[:1]:
                if query["execution_ms"] >= 1:
                    slow.append((query["execution_ms"], path, query))
        if slow:
            lines += ["", "Slowest statement of each path at the large size (EXPLAIN ANALYZE; all plans in "
                      f"`{report['pieces']}/explain-large.md`):", ""]
            for ms, path, query in sorted(slow, reverse=True):
                sql = " ".join(query["sql"].split())[:220]
                lines.append(f"- {path}: {ms:.1f} ms, `{query['plan_head'][:110]}`: `{sql}…`")

    load = report.get("load")
    if load:
        lines += ["", "## Load test", "",
                  f"gunicorn `-c gunicorn.conf.py` ({load.get('gunicorn', {}).get('workers')} workers), production "
                  f"settings, the large database; {load['concurrency']} learners at once from a second process on "
                  f"loopback (one connection per request, as through a proxy); phases of {load['duration']:g} s back to back, "
                  f"interleaved in {load.get('rounds', 1)} rounds.", "",
                  "| Phase | Endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for phase, figures in load.get("phases", {}).items():
            for endpoint, e in figures["endpoints"].items():
                lines.append(f"| {phase} | {endpoint} | {fmt(e['requests'])} | {fmt(e['rps'])} | {fmt(e['p50_ms'])} | "
                             f"{fmt(e['p95_ms'])} | {fmt(e['p99_ms'])} | {e['errors']} |")
            cpu = figures.get("cpu_cores_used", {})
            lines.append(f"| {phase} | *all ({figures['total_rps']} req/s; CPU cores: gunicorn {cpu.get('gunicorn_workers')}, "
                         f"postgres {cpu.get('postgres')}, client {cpu.get('load_client')}; machine "
                         f"{cpu.get('machine_busy_percent')}% busy)* | | | | | | |")
        ratios = report["load_ratios"]
        lines += ["", "| Target | measured | target | met |", "|---|---:|---:|:---:|"]
        for label, r in ratios.items():
            if label == "worker RSS":
                lines.append(f"| largest gunicorn worker RSS after the test | {fmt(r['max_rss_mb'])} MB | < {r['target']} MB "
                             f"| {ok(r['meets_target'])} |")
            else:
                lines.append(f"| {label} req/s ({r['phase']} phase) / {r['floor']} req/s | {fmt(r['ratio'])} "
                             f"({fmt(r['rps'])} / {fmt(r['floor_rps'])}) | ≥ {r['target']} | {ok(r['meets_target'])} |")
        memory = load.get("workers_memory", [])
        if memory:
            lines.append("")
            lines.append("Worker memory after the test: " + ", ".join(
                f"RSS {w['rss_mb']} MB (USS {w['uss_mb']} MB)" for w in memory) + ".")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pieces", type=Path)
    parser.add_argument("--large-database", default="certquiz_bench_large")
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--markdown", type=Path, required=True)
    args = parser.parse_args()

    small, large = read_micro(args.pieces, "small"), read_micro(args.pieces, "large")
    load = read(args.pieces / "load.json")
    report = {
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pieces": str(args.pieces),
        "machine": machine(),
        "dataset": dataset(args.large_database),
        "micro": {"small": small, "large": large, "rows": micro_rows(small, large)} if large else None,
        "load": load,
        "load_ratios": load_ratios(load) if load else None,
    }
    args.json.write_text(json.dumps(report, indent=2, default=str))
    args.markdown.write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
