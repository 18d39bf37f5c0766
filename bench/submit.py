"""Benchmark: ballots submitted per second under gunicorn, against a bare "hello".

Builds a published survey of 30 cadres × 4 dimensions × 5 options (优秀 … 不称职, 不了解)
with two extra questions, issues one code per ballot, starts gunicorn on the app (plus a
bench-only /bench/hello route that returns a constant), then lets N concurrent clients
each POST full ballots to /s/<code> (the phone form, 120 ratings) with distinct codes,
and afterwards hammer /bench/hello the same number of times. Prints, for both, requests
per second, p50/p99 latency and errors, and the ratio ballots/s ÷ hello/s.

    .venv/bin/python bench/submit.py [--clients 16] [--ballots 2000] [--workers 2] [--threads 4]
                                     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB]

SQLite runs in a temporary file (WAL). With --database-url the schema `public` of that
database is DROPPED and recreated: point it at a scratch database. The load generator
runs on the same machine as the server (threads, keep-alive connections), so the figures
are a floor. Results are recorded in docs/benchmarks.md ("Ballot submission").
"""

import argparse
import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.config import DevelopmentConfig  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import QuestionKind, Role, SurveyKind  # noqa: E402
from survey_app.services import codes, surveys, users  # noqa: E402
from survey_app.services.ballot_rules import ballot_structure, question_key, rating_key  # noqa: E402

SECRET = "bench-only-secret-key"
SUBJECTS, DIMENSIONS = 30, 4


# ---- setting up ---------------------------------------------------------------------------


def _build_survey() -> int:
    actor = users.create_user("bench", "bench-password-123", Role.ADMIN)
    survey = surveys.create_survey(
        {"kind": SurveyKind.DEMOCRATIC, "year": 2026, "title": "基准测试：民主测评", "excellent_cap_percent": 20},
        actor,
    )
    for i in range(SUBJECTS):
        surveys.add_subject(survey, {"key": f"B{i}", "name": f"干部{i:02d}", "unit_name": f"单位{i % 5}"}, actor)
    for name in ("服务意识", "担当精神", "解决实际问题", "廉洁自律")[:DIMENSIONS]:
        surveys.add_dimension(survey, {"name": name}, actor)
    surveys.add_group(survey, {"key": "all", "name": "全体", "expected_count": 10_000}, actor)
    surveys.add_question(survey, {"kind": QuestionKind.SINGLE_CHOICE, "prompt": "总体评价",
                                  "options": ["好", "较好", "一般", "差"]}, actor)
    surveys.add_question(survey, {"kind": QuestionKind.LONG_TEXT, "prompt": "意见和建议"}, actor)
    surveys.change_status(survey, "publish", actor)
    db.session.flush()
    return survey.id


def _form_body(structure, code: str, rng: random.Random) -> bytes:
    """A complete, valid ballot as the phone would post it (no 优秀, so no cap trouble)."""
    choices = [o for o in structure.options if o is not structure.top_option]
    fields = [(rating_key(s.id, d.id), str(rng.choice(choices).id)) for s in structure.subjects
              for d in structure.dimensions]
    fields += [(question_key(structure.questions[0].id), "较好"), (question_key(structure.questions[1].id), "无")]
    fields += [("idempotency_key", secrets.token_urlsafe(16))]
    return urlencode(fields).encode()


def prepare(database_url: str, ballots: int) -> list[tuple[str, bytes]]:
    """Create the schema, the survey and one code per ballot; return (path, body) pairs."""
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET)
    rng = random.Random(42)
    with app.app_context():
        if database_url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
        survey_id = _build_survey()
        from survey_app.models import Survey

        survey = db.session.get(Survey, survey_id)
        group = survey.groups[0]
        issued = codes.issue_batch(survey, group, ballots, actor=None)
        structure = ballot_structure(survey, group)
        requests = [(f"/s/{code}", _form_body(structure, code, rng)) for code in issued.codes]
        db.session.commit()
        db.engine.dispose()
    return requests


# ---- the server ---------------------------------------------------------------------------

BENCH_APP = '''
from survey_app import create_app
from survey_app.config import DevelopmentConfig

app = create_app(DevelopmentConfig)
app.add_url_rule("/bench/hello", "bench_hello", lambda: "hello")
'''


def start_gunicorn(database_url: str, port: int, workers: int, threads: int, folder: Path) -> subprocess.Popen:
    (folder / "bench_app.py").write_text(BENCH_APP)
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{folder}",
        "SURVEY_SQLALCHEMY_DATABASE_URI": database_url,
        "SURVEY_SECRET_KEY": SECRET,
        "SURVEY_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads",
               str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bench_app:app"]
    server = subprocess.Popen(command, env=env, cwd=folder)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/bench/hello")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


# ---- the load -----------------------------------------------------------------------------


def run_load(port: int, requests: list[tuple[str, bytes | None]], clients: int, expect: int) -> dict:
    """Send the requests from `clients` threads, each on a keep-alive connection."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    queue = iter(requests)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            path, body = item
            started = time.perf_counter()
            try:
                if body is None:
                    connection.request("GET", path)
                else:
                    connection.request("POST", path, body,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                response.read()
                ok = response.status == expect
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "count": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "errors": errors[0],
    }


def _count_ballots(database_url: str) -> int:
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET)
    with app.app_context():
        count = db.session.execute(text("SELECT count(*) FROM ballots")).scalar()
        db.engine.dispose()
    return count


def _line(name: str, result: dict) -> str:
    return (f"{name:<8} {result['count']:>6} requests  {result['per_second']:>8.1f}/s  "
            f"p50 {result['p50_ms']:>7.1f} ms  p99 {result['p99_ms']:>7.1f} ms  errors {result['errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", help="Default: SQLite in a temporary folder.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"preparing {args.ballots} codes on {database_url.split('@')[-1]} …", flush=True)
        submissions = prepare(database_url, args.ballots)
        server = start_gunicorn(database_url, args.port, args.workers, args.threads, Path(folder))
        try:
            run_load(args.port, [("/bench/hello", None)] * 200, args.clients, 200)  # warm-up
            ballots = run_load(args.port, submissions, args.clients, 303)
            hello = run_load(args.port, [("/bench/hello", None)] * len(submissions), args.clients, 200)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        stored = _count_ballots(database_url)

    print(f"gunicorn --workers {args.workers} --threads {args.threads}; {args.clients} clients; "
          f"{SUBJECTS}×{DIMENSIONS} ballot, {os.cpu_count()} CPUs")
    print(_line("ballots", ballots))
    print(_line("hello", hello))
    print(f"ballots stored {stored} of {len(submissions)}; "
          f"ratio ballots/s ÷ hello/s = {ballots['per_second'] / hello['per_second']:.3f}")


if __name__ == "__main__":
    main()
