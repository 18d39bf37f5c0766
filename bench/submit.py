"""Benchmark: ballots submitted per second under gunicorn, against the bare /healthz.

The small sibling of bench/load.py (same harness, bench/_harness.py): a published
30 × 4 survey, one code per ballot, gunicorn started as in production (deploy/gunicorn.conf.py);
then --clients keep-alive clients POST --ballots full ballots (each must get 303), and
afterwards GET /healthz as many times. Prints both, their ratio and the database checks
(every acknowledged ballot stored once, nothing else).

    .venv/bin/python bench/submit.py [--clients 16] [--ballots 2000] [--workers N] [--threads N]
                                     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB]

SQLite runs in a temporary file. With --database-url the schema `public` of that database
is DROPPED and recreated: point it at a scratch database. Results: docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time limit of each phase")
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()

    warm = 16
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        print(f"preparing {args.ballots} codes on {database_url.split('@')[-1]} …", flush=True)
        prepared = h.prepare(database_url, warm + args.ballots, 0)
        server = h.Server(database_url, args.port, folder, workers=args.workers, threads=args.threads)
        with server:
            def phase(label, items, steps, concurrency=args.clients):
                result = h.run_phase(label, args.port, items, concurrency, args.max_seconds, server, folder, steps)
                print(result.report(), flush=True)
                return result

            warm_up = phase("warm-up", [[h.post(b.path, b.body)] for b in prepared.ballots[:warm]], ["submit"])
            submit = phase("submit", [[h.post(b.path, b.body)] for b in prepared.ballots[warm:]], ["submit"])
            bare = phase("bare", [[h.get("/healthz")]] * args.ballots, ["healthz"])
            workers = len(server.workers)
        acknowledged = [b for b, item in zip(prepared.ballots, warm_up.outcomes + submit.outcomes, strict=True)
                        if item[0][2] is None]
        checks = h.check_integrity(database_url, prepared, acknowledged, [])

    ballots, hello = submit.step("submit"), bare.step("healthz")
    print(f"\n{h.CONFIG.relative_to(h.ROOT)}, {workers} workers; {args.clients} clients; {h.SUBJECTS}×{h.DIMENSIONS} ballot, "
          f"{os.cpu_count()} CPUs")
    print(f"ratio ballots/s ÷ healthz/s = {ballots.per_second / hello.per_second:.3f}; "
          f"p99 {ballots.p99_ms:.0f} ms vs {hello.p99_ms:.0f} ms")
    for check, passed, detail in checks:
        print(f"  {'ok  ' if passed else 'FAIL'} {check}: {detail}")
    if not all(passed for _check, passed, _detail in checks):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
