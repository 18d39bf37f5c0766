"""Shared parts of the ballot benchmarks (bench/load.py, bench/submit.py).

- `prepare`: a fresh schema, a published 30 × 4 survey, one code per respondent, an open
  link, and every ballot body generated in advance (so the client only sends bytes);
- `Server`: gunicorn started with the production configuration (deploy/gunicorn.conf.py,
  which takes the top-level gunicorn.conf.py) on `wsgi:app` in production mode, with the CPU seconds of its processes (and of the PostgreSQL backends
  serving the bench database) read from /proc;
- `run_phase`: one bounded phase of the load generator (bench/_client.py, a separate
  process) and its figures;
- `check_integrity`: the database read directly after the run.
"""

import os
import pickle
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
SUBJECTS, DIMENSIONS = 30, 4
CLIENT = Path(__file__).resolve().parent / "_client.py"
#: The production configuration (docs/operations.md): deploy/gunicorn.conf.py, which takes
#: workers, threads and timeouts from the top-level gunicorn.conf.py and turns gunicorn's
#: access log off (the app logs each request, redacted).
CONFIG = ROOT / "deploy" / "gunicorn.conf.py" if (ROOT / "deploy" / "gunicorn.conf.py").is_file() \
    else ROOT / "gunicorn.conf.py"
_TICK = os.sysconf("SC_CLK_TCK")


# ---- the survey and the ballots -----------------------------------------------------------


@dataclass
class Ballot:
    """One respondent's ballot, ready to send; `fingerprint` is its ratings' option ids."""

    path: str
    body: bytes
    fingerprint: tuple[int, ...]
    code: str = ""


@dataclass
class Prepared:
    survey_id: int
    ballots: list[Ballot]  # one per code, in issue order
    open_token: str
    open_ballots: list[Ballot]
    rating_count: int
    answer_count: int
    plain_options: list[int]  # option ids other than the capped top one


def _build_survey(actor_name: str = "bench"):
    from survey_app.extensions import db
    from survey_app.models import QuestionKind, Role, SurveyKind
    from survey_app.services.design import structure, surveys
    from survey_app.services.platform import users
    from survey_app.services.results import lifecycle

    actor = users.create_user(actor_name, "bench-password-123", Role.ADMIN)
    survey = surveys.create_survey(
        {"kind": SurveyKind.DEMOCRATIC, "year": 2026, "title": "基准测试：民主测评", "excellent_cap_percent": 20},
        actor,
    )
    for i in range(SUBJECTS):
        structure.add_subject(survey, {"key": f"B{i}", "name": f"干部{i:02d}", "unit_name": f"单位{i % 5}"}, actor)
    for name in ("服务意识", "担当精神", "解决实际问题", "廉洁自律")[:DIMENSIONS]:
        structure.add_dimension(survey, {"name": name}, actor)
    structure.add_group(survey, {"key": "all", "name": "全体", "expected_count": 10_000}, actor)
    structure.add_question(survey, {"kind": QuestionKind.SINGLE_CHOICE, "prompt": "总体评价",
                                  "options": ["好", "较好", "一般", "差"]}, actor)
    structure.add_question(survey, {"kind": QuestionKind.LONG_TEXT, "prompt": "意见和建议"}, actor)
    lifecycle.change_status(survey, "publish", actor)
    db.session.flush()
    return survey


def _ballot(structure, path: str, rng: random.Random) -> Ballot:
    """A complete valid ballot as the phone posts it: some 优秀 (within the cap), some 不了解."""
    from survey_app.services.respondents.ballot_rules import question_key, rating_key

    top = structure.top_option
    others = [o for o in structure.options if o is not top]
    chosen = {}
    for d in structure.dimensions:
        excellent = set(rng.sample([s.id for s in structure.subjects], rng.randint(0, structure.top_allowed)))
        for s in structure.subjects:
            chosen[(s.id, d.id)] = top.id if s.id in excellent else rng.choice(others).id
    fields = [(rating_key(s, d), str(option)) for (s, d), option in chosen.items()]
    fields += [(question_key(structure.questions[0].id), rng.choice(structure.questions[0].options)),
               (question_key(structure.questions[1].id), rng.choice(["无", "希望继续加强作风建设。"]))]
    fields += [("idempotency_key", secrets.token_urlsafe(16))]
    return Ballot(path, urlencode(fields).encode(), tuple(chosen[key] for key in sorted(chosen)))


def reset_database(database_url: str) -> None:
    """Start from an empty schema (PostgreSQL: schema public dropped and recreated)."""
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def _app(database_url: str):
    from survey_app import create_app
    from survey_app.config import DevelopmentConfig

    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET)


def prepare(database_url: str, codes_count: int, open_count: int, seed: int = 42) -> Prepared:
    """Create the schema, the survey, `codes_count` codes, an open link and every ballot."""
    from survey_app.extensions import db
    from survey_app.services.respondents import codes
    from survey_app.services.respondents.ballot_rules import ballot_structure

    reset_database(database_url)
    rng = random.Random(seed)
    app = _app(database_url)
    with app.app_context():
        db.create_all()
        survey = _build_survey()
        group = survey.groups[0]
        issued = []
        while len(issued) < codes_count:
            issued += codes.issue_batch(survey, group, min(codes.MAX_BATCH, codes_count - len(issued)), None).codes
        link = codes.create_open_link(survey, group, None)
        structure = ballot_structure(survey, group)
        ballots = []
        for code in issued:
            ballot = _ballot(structure, f"/s/{code}", rng)
            ballot.code = code
            ballots.append(ballot)
        open_ballots = [_ballot(structure, f"/o/{link.token}", rng) for _ in range(open_count)]
        prepared = Prepared(survey.id, ballots, link.token, open_ballots, structure.rating_count,
                            len(structure.questions),
                            [o.id for o in structure.options if o is not structure.top_option])
        db.session.commit()
        db.engine.dispose()
    return prepared


def rekeyed(ballot: Ballot, plain_options: list[int], rng: random.Random) -> Ballot:
    """The same code with other ratings and another idempotency key (a second person)."""
    fields = parse_qsl(ballot.body.decode(), keep_blank_values=True)
    changed = []
    for key, value in fields:
        if key.startswith("r-"):
            value = str(rng.choice(plain_options))  # never the top option: within the cap
        elif key == "idempotency_key":
            value = secrets.token_urlsafe(16)
        changed.append((key, value))
    values = {k: int(v) for k, v in changed if k.startswith("r-")}
    order = sorted(values, key=lambda k: tuple(int(part) for part in k[2:].split("-")))
    return Ballot(ballot.path, urlencode(changed).encode(), tuple(values[k] for k in order), ballot.code)


# ---- the server -------------------------------------------------------------------------


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot, every core."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _served_sockets(port: int) -> set[str]:
    """Inodes of the established TCP connections whose local port is `port` (IPv4 loopback)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "01":
            inodes.add(fields[9])
    return inodes


def client_connections(workers: list[int], port: int) -> list[int]:
    """How many client connections each gunicorn worker holds right now.

    gthread keeps a keep-alive connection in the worker that accepted it, so this shows
    how evenly a burst of clients was shared out (it decides the slow tail: a worker with
    twice the connections answers each of them half as often).
    """
    served = _served_sockets(port)
    counts = []
    for pid in workers:
        count = 0
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                count += link.startswith("socket:[") and link[8:-1] in served
        except OSError:
            pass
        counts.append(count)
    return counts


def _postgres_backends(database: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
                pids.append(int(entry.name))
    return pids


class Server:
    """gunicorn on `wsgi:app` with the production configuration, in production mode, on 127.0.0.1."""

    def __init__(self, database_url: str, port: int, folder: Path, *, workers: int | None = None,
                 threads: int | None = None, redis_url: str | None = None, worker_class: str | None = None):
        self.database_url, self.port, self.folder = database_url, port, folder
        self.command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(CONFIG),
                        "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        if workers:
            self.command += ["--workers", str(workers)]
        if threads:
            self.command += ["--threads", str(threads)]
        if worker_class:
            self.command += ["--worker-class", worker_class]
        self.command.append("wsgi:app")
        self.env = {
            **os.environ,
            "SURVEY_ENV": "production",
            "SURVEY_SQLALCHEMY_DATABASE_URI": database_url,
            "SURVEY_SECRET_KEY": SECRET,
            "SURVEY_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SURVEY_PROXY_COUNT": "1",  # as behind nginx: X-Forwarded-For is the client
        }
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.database = database_url.rsplit("/", 1)[-1].split("?")[0] if database_url.startswith("postgresql") else ""
        self.process: subprocess.Popen | None = None
        self._backend_cpu: dict[int, float] = {}

    def start(self) -> "Server":
        # Its log (gunicorn's and the app's JSON lines) goes to a file, as to the journal.
        self.log = open(self.folder / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        for _attempt in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("gunicorn did not start:\n" + self.log_tail())

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        if self.process:
            self.log.close()

    def log_tail(self, size: int = 3000) -> str:
        return (self.folder / "server.log").read_bytes()[-size:].decode(errors="replace")

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: gunicorn (master and workers), PostgreSQL backends of the bench."""
        gunicorn = _cpu_of(self.process.pid) + sum(_cpu_of(pid) for pid in self.workers)
        if self.database:  # backends come and go: remember the last reading of each
            for pid in _postgres_backends(self.database):
                self._backend_cpu[pid] = max(self._backend_cpu.get(pid, 0.0), _cpu_of(pid))
        return {"gunicorn": gunicorn, "postgres": sum(self._backend_cpu.values())}


# ---- phases -------------------------------------------------------------------------------


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@dataclass
class StepFigures:
    """Figures of one kind of request within a phase."""

    name: str
    count: int
    ok: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: Counter = field(default_factory=Counter)

    def line(self) -> str:
        errors = sum(self.errors.values())
        detail = f" ({', '.join(f'{k}: {v}' for k, v in self.errors.most_common(4))})" if errors else ""
        return (f"  {self.name:<14} {self.count:>6} requests {self.per_second:>8.1f}/s   p50 {self.p50_ms:>7.1f}"
                f"   p95 {self.p95_ms:>7.1f}   p99 {self.p99_ms:>7.1f} ms   errors {errors}{detail}")


@dataclass
class Phase:
    name: str
    concurrency: int
    steps: list[StepFigures]
    outcomes: list[list[tuple]]  # per item, per step: (status, seconds, error)
    extracts: list[dict | None]
    wall: float
    cpu: dict[str, float]
    timed_out: bool
    connections: list[int]  # the most client connections each gunicorn worker held

    def report(self) -> str:
        cpu = ", ".join(f"{k} {v:.1f} s" for k, v in self.cpu.items() if k != "machine_busy")
        busy = self.cpu.get("machine_busy", float("nan"))
        lines = [f"{self.name}: {len(self.outcomes)} items, {self.concurrency} concurrent, {self.wall:.1f} s"
                 f"{' (STOPPED AT THE TIME LIMIT)' if self.timed_out else ''}; CPU {cpu}; "
                 f"machine busy {busy:.0%}; client connections per worker (most held) "
                 f"{'/'.join(map(str, self.connections)) or '-'}"]
        return "\n".join(lines + [step.line() for step in self.steps])

    def step(self, name: str) -> StepFigures:
        return next(step for step in self.steps if step.name == name)


def _run_client(job: Path, result_path: Path, timeout: float, server: Server, port: int) -> list[int]:
    """Run the load generator to its end; return the most client connections each worker held."""
    client = subprocess.Popen([sys.executable, str(CLIENT), str(job), str(result_path)])
    workers = server.workers
    peak = [0] * len(workers)
    stop = time.monotonic() + timeout
    while client.poll() is None:
        if time.monotonic() > stop:
            client.kill()
            raise subprocess.TimeoutExpired(client.args, timeout)
        peak = [max(a, b) for a, b in zip(peak, client_connections(workers, port), strict=True)]
        time.sleep(0.25)
    if client.returncode:
        raise subprocess.CalledProcessError(client.returncode, client.args)
    return peak


def run_phase(name: str, port: int, items: list[list[dict]], concurrency: int, deadline: float,
              server: Server, folder: Path, step_names: list[str], profile: Path | None = None,
              keep_alive: bool = True) -> Phase:
    """Run one bounded phase in a separate client process and measure it.

    With `profile`, py-spy samples the gunicorn workers meanwhile and writes collapsed
    stacks there (py-spy is not in requirements.txt: `.venv/bin/pip install py-spy`).
    """
    job, result_path = folder / f"{name}.job", folder / f"{name}.result"
    with open(job, "wb") as handle:
        pickle.dump({"host": "127.0.0.1", "port": port, "items": items, "concurrency": concurrency,
                     "deadline": deadline, "keep_alive": keep_alive}, handle)
    spy = None
    if profile is not None:
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                                str(server.process.pid), "--subprocesses", "--format", "raw", "--rate", "200",
                                "--nonblocking", "--output", str(profile)], stdout=subprocess.DEVNULL)
        time.sleep(1.0)
    before, busy_before = server.cpu(), machine_busy()
    connections = _run_client(job, result_path, deadline + 120, server, port)
    after, busy_after = server.cpu(), machine_busy()
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    with open(result_path, "rb") as handle:
        result = pickle.load(handle)
    job.unlink()
    result_path.unlink()
    cpu = {k: after[k] - before[k] for k in after}
    cpu["client"] = result["client_cpu"]
    cpu["machine_busy"] = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    steps = []
    for position, step_name in enumerate(step_names):
        outcomes = [item[position] for item in result["results"] if len(item) > position]
        latencies = sorted(seconds for _status, seconds, _error in outcomes if seconds is not None)
        ok = sum(1 for _status, _seconds, error in outcomes if error is None)
        steps.append(StepFigures(
            step_name, len(outcomes), ok, ok / result["active"] if result["active"] else 0.0,
            1000 * _percentile(latencies, 0.50), 1000 * _percentile(latencies, 0.95),
            1000 * _percentile(latencies, 0.99),
            Counter(error for _status, _seconds, error in outcomes if error is not None),
        ))
    return Phase(name, concurrency, steps, result["results"], result["extracts"], result["active"], cpu,
                 result["timed_out"], connections)


def get(path: str, *, expect: int = 200, extract: bool = False, headers: bytes = b"") -> dict:
    return {"method": "GET", "path": path, "body": None, "expect": expect, "extract": extract,
            "headers": b"Accept-Encoding: gzip, deflate\r\n" + headers}


def post(path: str, body: bytes, *, expect: int = 303, fill: bool = False, headers: bytes = b"") -> dict:
    return {"method": "POST", "path": path, "body": body, "expect": expect, "fill": fill,
            "headers": b"Accept-Encoding: gzip, deflate\r\n" + headers}


def forwarded_for(index: int) -> bytes:
    """A distinct client address per simulated phone (loopback range, only a header)."""
    return f"X-Forwarded-For: 127.{1 + index // 65536 % 254}.{index // 256 % 256}.{index % 256}\r\n".encode()


# ---- integrity ----------------------------------------------------------------------------


def _fingerprints(connection, survey_id: int, is_open: bool) -> tuple[Counter, Counter]:
    """Stored ballots as rating fingerprints, and the count of ratings per ballot."""
    rows = connection.execute(text(
        "SELECT r.ballot_id, r.option_id FROM ratings r JOIN ballots b ON b.id = r.ballot_id "
        "WHERE b.survey_id = :survey AND b.is_open_link = :open ORDER BY r.ballot_id, r.subject_id, r.dimension_id"
    ), {"survey": survey_id, "open": is_open}).all()
    per_ballot: dict[str, list[int]] = {}
    for ballot_id, option_id in rows:
        per_ballot.setdefault(ballot_id, []).append(option_id)
    return Counter(tuple(v) for v in per_ballot.values()), Counter(len(v) for v in per_ballot.values())


def check_integrity(database_url: str, prepared: Prepared, acknowledged: list[Ballot],
                    acknowledged_open: list[Ballot]) -> list[tuple[str, bool, str]]:
    """Compare the database with what the server acknowledged; return (check, passed, detail)."""
    from survey_app.services.respondents import codes

    app = _app(database_url)
    with app.app_context():
        ack_hashes = {codes.code_hash(b.code) for b in acknowledged}
    engine = create_engine(database_url)
    checks = []
    with engine.connect() as connection:
        def scalar(sql: str, **params):
            return connection.execute(text(sql), {"survey": prepared.survey_id, **params}).scalar()

        stored = scalar("SELECT count(*) FROM ballots WHERE survey_id = :survey AND NOT is_open_link")
        stored_open = scalar("SELECT count(*) FROM ballots WHERE survey_id = :survey AND is_open_link")
        checks.append(("code ballots stored = acknowledged (303)", stored == len(acknowledged),
                       f"{stored} stored, {len(acknowledged)} acknowledged"))
        used = connection.execute(text(
            "SELECT code_hash FROM access_codes WHERE survey_id = :survey AND status = 'USED'"
        ), {"survey": prepared.survey_id}).scalars().all()
        checks.append(("codes used = code ballots stored (no code used twice, none burned without ballot)",
                       len(used) == stored == len(set(used)), f"{len(used)} codes used"))
        checks.append(("every acknowledged code is used", ack_hashes <= set(used),
                       f"{len(ack_hashes - set(used))} acknowledged but not used"))
        fingerprints, sizes = _fingerprints(connection, prepared.survey_id, False)
        expected = Counter(b.fingerprint for b in acknowledged)
        lost, extra = expected - fingerprints, fingerprints - expected
        checks.append(("stored code ballots = acknowledged ones, rating for rating (none lost or duplicated)",
                       not lost and not extra, f"{sum(lost.values())} lost, {sum(extra.values())} unexpected"))
        checks.append((f"every ballot has {prepared.rating_count} ratings",
                       set(sizes) <= {prepared.rating_count}, f"ratings per ballot: {dict(sizes)}"))
        answers = connection.execute(text(
            "SELECT count(*) FROM answers a JOIN ballots b ON b.id = a.ballot_id WHERE b.survey_id = :survey"
        ), {"survey": prepared.survey_id}).scalar()
        total = stored + stored_open
        checks.append((f"every ballot has {prepared.answer_count} answers",
                       answers == prepared.answer_count * total, f"{answers} answers for {total} ballots"))
        if acknowledged_open or stored_open:
            receipts = scalar("SELECT count(*) FROM open_receipts r JOIN open_links l ON l.id = r.open_link_id "
                              "WHERE l.survey_id = :survey")
            open_prints, _sizes = _fingerprints(connection, prepared.survey_id, True)
            expected_open = Counter(b.fingerprint for b in acknowledged_open)
            checks.append(("open ballots stored = acknowledged = receipts",
                           stored_open == len(acknowledged_open) == receipts,
                           f"{stored_open} stored, {len(acknowledged_open)} acknowledged, {receipts} receipts"))
            checks.append(("stored open ballots = acknowledged ones, rating for rating",
                           open_prints == expected_open,
                           f"{sum((expected_open - open_prints).values())} lost, "
                           f"{sum((open_prints - expected_open).values())} unexpected"))
    engine.dispose()
    return checks
