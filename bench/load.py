"""Load test: hundreds of respondents at once load and submit full ballots under gunicorn.

Starts the app as in production (gunicorn with deploy/gunicorn.conf.py, i.e. the top-level
gunicorn.conf.py without access log, on `wsgi:app`, SURVEY_ENV=production, PROXY_COUNT=1
as behind nginx) on 127.0.0.1, on SQLite or on PostgreSQL, and drives it from a separate client process (bench/_client.py: asyncio,
keep-alive connections, every ballot generated in advance). Every phase is bounded by a
count and by --max-seconds. The phases, each at --concurrency respondents at once:

  bare      GET /healthz (the app's cheapest endpoint, one SELECT 1): the baseline
  pages     each respondent loads the ballot page of its own code (gzip accepted; the
            page's signed `started` field is kept, as the phone would post it back)
  submit    each respondent posts its full 30 × 4 ballot (120 ratings, two answers) with
            its distinct code; success is 303 to the thank-you page
  race      --race codes each posted twice at the same moment by two "people" (other
            ratings, other idempotency key): exactly one 303 and one 409 each
  open      an open-link burst (公众评议): --open-respondents each load /o/<token> and post
            (session cookie and CSRF token from the page, one address each)
  bare      the baseline again (the machine is shared: it shows drift)

Any error in any phase fails the run (exit status 1, a "FAIL phase <name>" line): a
transport error or timeout, a status other than the one expected (so every 4xx and 5xx; in
the race only 303 and 409 are expected), a request never sent or finished. Afterwards the database is
read directly: ballots stored = submissions acknowledged,
every code used once, 120 ratings and 2 answers per ballot, and the stored ballots are
exactly the acknowledged ones (ratings compared), none lost or duplicated.

    .venv/bin/python bench/load.py [--concurrency 500] [--respondents 3000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB]

SQLite runs in a temporary file. With --database-url the schema `public` of that database
is DROPPED and recreated: point it at a scratch database. Results: docs/benchmarks.md.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

GOAL_BALLOTS = 260.0
GOAL_RATIO = 0.25
GOAL_P99 = 2.0


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--respondents", type=int, default=3000, help="code ballots in the submit phase")
    parser.add_argument("--open-respondents", type=int, default=1000)
    parser.add_argument("--race", type=int, default=200, help="codes submitted twice at once")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time limit of each phase")
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py (one per core)")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py (4)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--redis-url", help="rate limits in Redis (default: memory, per worker)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", metavar="FOLDER", type=Path,
                        help="py-spy the workers in each phase; collapsed stacks go to FOLDER/<phase>.txt")
    return parser.parse_args()


def main() -> None:
    args = _options()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    warm = 16
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        print(f"preparing {args.respondents} ballots on {database_url.split('@')[-1]} …", flush=True)
        started = time.perf_counter()
        prepared = h.prepare(database_url, warm + args.respondents + args.race, args.open_respondents, args.seed)
        print(f"prepared in {time.perf_counter() - started:.1f} s", flush=True)
        warm_ballots = prepared.ballots[:warm]
        ballots = prepared.ballots[warm:warm + args.respondents]
        rng = random.Random(args.seed + 1)
        racing = [(b, h.rekeyed(b, prepared.plain_options, rng)) for b in prepared.ballots[warm + args.respondents:]]
        server = h.Server(database_url, args.port, folder, workers=args.workers, threads=args.threads,
                          redis_url=args.redis_url)
        c, limit = args.concurrency, args.max_seconds

        def phase(name, items, step_names, concurrency=c):
            profile = args.profile / f"{name.split()[0]}.txt" if args.profile else None
            result = h.run_phase(name, args.port, items, concurrency, limit, server, folder, step_names, profile)
            print(result.report(), flush=True)
            return result

        with server:
            print(f"gunicorn pid {server.process.pid}, workers {server.workers}", flush=True)
            warm_up = phase("warm-up", [[h.get(b.path), h.post(b.path, b.body)] for b in warm_ballots]
                  + [[h.get("/healthz")]] * 200, ["page", "submit"], concurrency=8)
            bare = phase("bare", [[h.get("/healthz")]] * args.respondents, ["healthz"])
            pages = phase("pages", [[h.get(b.path, extract=True)] for b in ballots], ["page"])
            filled = [b.body + (b"&started=" + extract["started"] if extract and "started" in extract else b"")
                      for b, extract in zip(ballots, pages.extracts, strict=True)]
            submit = phase("submit", [[h.post(b.path, body)] for b, body in zip(ballots, filled, strict=True)],
                           ["submit"])
            race_items = [[h.post(b.path, b.body, expect=0)] for pair in racing for b in pair]
            race = phase("race", race_items, ["submit"], concurrency=min(c, len(race_items)) or 1)
            open_items = [[h.get(b.path, extract=True, headers=h.forwarded_for(i)),
                           h.post(b.path, b.body, fill=True, headers=h.forwarded_for(i))]
                          for i, b in enumerate(prepared.open_ballots)]
            open_burst = phase("open", open_items, ["page", "submit"]) if open_items else None
            bare_after = phase("bare (again)", [[h.get("/healthz")]] * args.respondents, ["healthz"])
            worker_pids = server.workers

        acknowledged = [b for b, item in zip(warm_ballots, warm_up.outcomes, strict=False) if item[1][2] is None]
        acknowledged += [b for b, item in zip(ballots, submit.outcomes, strict=True) if item[0][2] is None]
        race_ok, race_refused, race_other = 0, 0, 0
        flat = [b for pair in racing for b in pair]
        for ballot, item in zip(flat, race.outcomes, strict=True):
            status = item[0][0]
            if status == 303:
                acknowledged.append(ballot)
                race_ok += 1
            elif status == 409:
                race_refused += 1
            else:
                race_other += 1
        acknowledged_open = []
        if open_burst:
            acknowledged_open = [b for b, item in zip(prepared.open_ballots, open_burst.outcomes, strict=True)
                                 if item[1][2] is None]
        checks = h.check_integrity(database_url, prepared, acknowledged, acknowledged_open)

    checked_phases = [warm_up, bare, pages, submit, race, *([open_burst] if open_burst else []), bare_after]
    _summary(args, database_url, worker_pids, bare, bare_after, pages, submit, race_ok, race_refused, race_other,
             len(racing), open_burst, checks, checked_phases)


#: Statuses a phase may answer besides each step's expected one: the race's second post of
#: a code is refused with 409 (its steps expect no particular status).
RACE_STATUSES = {303, 409}


def _phase_errors(phase) -> Counter:
    """Every failed request of a phase: a transport error or timeout, a status other than
    the step's expected one (any 4xx/5xx above all), a race answer other than 303/409, and
    every request the phase never sent or finished (bench/_client.py reports each as
    "timeout" when the phase stops at its time limit)."""
    errors: Counter = Counter()
    for item in phase.outcomes:
        for status, _seconds, error in item:
            if phase.name == "race":
                if error is not None and status not in RACE_STATUSES:
                    errors[error if status == 0 else f"HTTP {status}"] += 1
            elif error is not None:
                errors[error] += 1
    if phase.timed_out:
        errors["phase stopped at its time limit"] += 1
    return errors


def _failed_phases(phases) -> list[str]:
    """A FAIL line for each phase with any error; a load test that shrugs off a 500 is no test."""
    lines = []
    for phase in phases:
        errors = _phase_errors(phase)
        if errors:
            detail = ", ".join(f"{name}: {count}" for name, count in errors.most_common(6))
            lines.append(f"  FAIL phase {phase.name}: {sum(errors.values())} errors ({detail})")
    return lines


def _summary(args, database_url, worker_pids, bare, bare_after, pages, submit, race_ok, race_refused, race_other,
             race_codes, open_burst, checks, phases) -> None:
    print()
    print(f"== {database_url.split('://')[0]}; {h.CONFIG.relative_to(h.ROOT)}, {len(worker_pids)} workers"
          f"{f' × {args.threads} threads' if args.threads else ''}; {args.concurrency} concurrent; "
          f"{os.cpu_count()} CPUs (shared machine)")
    base = (bare.step("healthz").per_second + bare_after.step("healthz").per_second) / 2
    base_p99 = max(bare.step("healthz").p99_ms, bare_after.step("healthz").p99_ms)
    ballots = submit.step("submit")
    print(f"ballots/s          {ballots.per_second:8.1f}   (goal ≥ {GOAL_BALLOTS:.0f})")
    print(f"page loads/s       {pages.step('page').per_second:8.1f}")
    print(f"bare /healthz/s    {base:8.1f}   (mean of {bare.step('healthz').per_second:.1f} before and "
          f"{bare_after.step('healthz').per_second:.1f} after)")
    print(f"ratio ballots/bare {ballots.per_second / base:8.3f}   (aim ≥ {GOAL_RATIO})")
    print(f"p99 submit / p99 bare  {ballots.p99_ms:.0f} ms / {base_p99:.0f} ms = {ballots.p99_ms / base_p99:.2f}"
          f"   (goal ≤ {GOAL_P99})")
    errors = sum(sum(_phase_errors(phase).values()) for phase in phases)
    print(f"errors (every phase, open burst included) {errors}; race: {race_codes} codes sent twice → "
          f"{race_ok} stored, {race_refused} refused (409), {race_other} other")
    if open_burst:
        print(f"open burst: {open_burst.step('submit').ok} of {open_burst.step('submit').count} stored, "
              f"{open_burst.step('submit').per_second:.1f} ballots/s")
    print(f"CPU in submit phase: gunicorn {submit.cpu['gunicorn']:.1f} s, postgres {submit.cpu['postgres']:.1f} s, "
          f"client {submit.cpu['client']:.1f} s over {submit.wall:.1f} s wall")
    # The machine is shared: wall-clock rates move with other people's load, CPU seconds
    # per request much less. Server CPU = gunicorn + the bench's PostgreSQL backends.
    per_ballot = _server_cpu(submit) / max(1, ballots.ok)
    per_bare = (_server_cpu(bare) + _server_cpu(bare_after)) / max(1, bare.step("healthz").ok
                                                                   + bare_after.step("healthz").ok)
    print(f"server CPU per request: ballot {1000 * per_ballot:.2f} ms, page "
          f"{1000 * _server_cpu(pages) / max(1, pages.step('page').ok):.2f} ms, bare {1000 * per_bare:.2f} ms; "
          f"ratio by CPU {per_bare / per_ballot:.3f}")
    print("integrity (database read directly):")
    failed = False
    for name, passed, detail in checks:
        failed |= not passed
        print(f"  {'ok  ' if passed else 'FAIL'} {name}: {detail}")
    if race_ok != race_codes or race_refused != race_codes:
        failed = True
        print("  FAIL race: each code twice must give exactly one 303 and one 409")
    phase_failures = _failed_phases(phases)
    for line in phase_failures:
        print(line)
    failed |= bool(phase_failures)
    if failed:
        raise SystemExit(1)


def _server_cpu(phase) -> float:
    return phase.cpu["gunicorn"] + phase.cpu["postgres"]


if __name__ == "__main__":
    main()
