"""Benchmark: the full results recompute against a plain SQL aggregate, on SQLite and PostgreSQL.

Builds two surveys in one database: 1,000 respondents and 10,000 respondents, each rating
25 subjects on 4 dimensions (100,000 and 1,000,000 scored answers), 4 respondent groups,
5 units, the 优秀/称职/基本称职/不称职 scale with 不了解, trimming on. Then, for each size, it
times

- the recompute: `reports.compute_report(survey)`, uncached (query, columns, analytics,
  view models, comparisons with the previous survey);
- the baseline: one `SELECT subject_id, group_id, AVG(score) … GROUP BY subject_id, group_id`

and prints both and their ratio (goal: the recompute within 3× of the baseline). SQLite
runs in a temporary file; PostgreSQL runs when a server answers at BENCH_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/), in a temporary database
`pingyi_bench` that is dropped afterwards.

    .venv/bin/python bench/analytics.py [--repeat 3] [--profile] [--no-postgres]

Not a test: results are recorded in docs/benchmarks.md ("Analytics recompute").
"""

import argparse
import base64
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey_app import create_app  # noqa: E402
from survey_app.config import DevelopmentConfig  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import (  # noqa: E402
    Ballot,
    Dimension,
    RespondentGroup,
    ScaleOption,
    Subject,
    Survey,
    SurveyKind,
    SurveyStatus,
    Unit,
)
from survey_app.services.respondents import rating_pack
from survey_app.services.results import reports  # noqa: E402
from survey_app.services.results.ballot_columns import answers_from_ratings, load_counted  # noqa: E402

SUBJECTS, DIMENSIONS = 25, 4
SIZES = (1_000, 10_000)  # respondents → 100k and 1M answers
GROUPS = (("superior", "上级", 0.3), ("peer", "同级", 0.2), ("subordinate", "下级", 0.2), ("served", "服务对象", 0.3))
ROLES = {"优秀": "top", "称职": "pass", "不称职": "negative"}  # as the competence preset
OPTIONS = (("优秀", 100.0), ("称职", 80.0), ("基本称职", 60.0), ("不称职", 0.0), ("不了解", None))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
BENCH_DATABASE = "pingyi_bench"

BASELINE = text(
    "SELECT r.subject_id, b.group_id, AVG(r.score) FROM ratings r JOIN ballots b ON b.id = r.ballot_id "
    "WHERE b.survey_id = :survey_id AND b.is_excluded = :excluded GROUP BY r.subject_id, b.group_id"
)


def _structure(respondents: int) -> Survey:
    units = [Unit(name=f"基准单位{respondents}-{u}", category="市直部门" if u < 3 else "县市区") for u in range(5)]
    survey = Survey(
        kind=SurveyKind.DEMOCRATIC, year=2026, title=f"基准测评（{respondents} 人）",
        status=SurveyStatus.CLOSED, trim_extremes=True,
    )
    survey.subjects = [
        Subject(key=f"S{i:02d}", name=f"对象{i:02d}", unit=units[i % 5], position_title="局长", position=i)
        for i in range(SUBJECTS)
    ]
    survey.dimensions = [Dimension(name=f"维度{d}", weight=1.0 + d % 2, position=d) for d in range(DIMENSIONS)]
    survey.groups = [
        RespondentGroup(key=key, name=name, weight=weight, min_size=5, expected_count=respondents // 4, position=i)
        for i, (key, name, weight) in enumerate(GROUPS)
    ]
    survey.scale_options = [
        ScaleOption(label=label, score=score, is_unknown=score is None, position=i, role=ROLES.get(label))
        for i, (label, score) in enumerate(OPTIONS)
    ]
    db.session.add(survey)
    db.session.flush()
    return survey


def _ballots_and_ratings(survey: Survey, respondents: int, seed: int):
    """Return ballot tuples and rating column arrays (one row per ballot × subject × dimension)."""
    rng = np.random.default_rng(seed)
    ids_rng = random.Random(seed)
    ballot_ids = [base64.urlsafe_b64encode(ids_rng.randbytes(16)).decode().rstrip("=") for _ in range(respondents)]
    groups = rng.integers(0, len(GROUPS), respondents)
    group_ids = np.array([g.id for g in survey.groups])[groups]
    rows = respondents * SUBJECTS * DIMENSIONS
    ballot_of_row = np.repeat(np.arange(respondents), SUBJECTS * DIMENSIONS)
    subject_ids = np.tile(np.repeat([s.id for s in survey.subjects], DIMENSIONS), respondents)
    dimension_ids = np.tile([d.id for d in survey.dimensions], respondents * SUBJECTS)
    # Subjects differ in quality; respondents in leniency; 3% 不了解.
    quality = rng.normal(0, 0.6, SUBJECTS)[np.tile(np.repeat(np.arange(SUBJECTS), DIMENSIONS), respondents)]
    leniency = rng.normal(0, 0.5, respondents)[ballot_of_row]
    level = np.clip(np.rint(1.0 - quality - leniency + rng.normal(0, 0.7, rows)), 0, 3).astype(np.int64)
    level[rng.random(rows) < 0.03] = 4
    option_ids = np.array([o.id for o in survey.scale_options])[level]
    option_scores = [o.score for o in survey.scale_options]
    ratings = (
        [ballot_ids[b] for b in ballot_of_row],
        subject_ids.tolist(),
        dimension_ids.tolist(),
        option_ids.tolist(),
        [option_scores[x] for x in level.tolist()],
    )
    # Each ballot's packed copy, as the submission path writes it beside the rows.
    per_ballot = SUBJECTS * DIMENSIONS
    rating_tuples = list(zip(*ratings[1:], strict=True))
    ballots = [
        (ballot_ids[i], survey.id, int(group_ids[i]), date(2026, 11, 24), False, False,
         rating_pack.pack(rating_tuples[i * per_ballot:(i + 1) * per_ballot]))
        for i in range(respondents)
    ]
    return ballots, ratings


def _bulk_insert(ballots, ratings) -> None:
    """Insert through the raw DBAPI connection: executemany on SQLite, COPY on PostgreSQL."""
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    ballot_columns = "id, survey_id, group_id, submitted_on, is_open_link, is_excluded, ratings_packed"
    rating_columns = "ballot_id, subject_id, dimension_id, option_id, score"
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY ballots ({ballot_columns}) FROM STDIN") as copy:
                for row in ballots:
                    copy.write_row(row)
            with cursor.copy(f"COPY ratings ({rating_columns}) FROM STDIN") as copy:
                for row in zip(*ratings, strict=True):
                    copy.write_row(row)
    else:
        db.session.execute(insert(Ballot.__table__), [
            dict(zip(ballot_columns.split(", "), row, strict=True)) for row in ballots
        ])
        cursor = raw.cursor()
        cursor.executemany(f"INSERT INTO ratings ({rating_columns}) VALUES (?, ?, ?, ?, ?)", zip(*ratings, strict=True))
        cursor.close()


def _best(function, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), times


def run(url: str, label: str, repeat: int, profile: bool) -> list[dict]:
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)
    figures = []
    with app.app_context():
        db.create_all()
        survey_ids = {}
        for seed, respondents in enumerate(SIZES):
            started = time.perf_counter()
            survey = _structure(respondents)
            _bulk_insert(*_ballots_and_ratings(survey, respondents, seed))
            db.session.commit()
            survey_ids[respondents] = survey.id
            print(f"[{label}] built {respondents:>6} respondents × {SUBJECTS} × {DIMENSIONS} = "
                  f"{respondents * SUBJECTS * DIMENSIONS:>9,} answers in {time.perf_counter() - started:.1f} s",
                  flush=True)
        db.session.execute(text("ANALYZE"))  # planner statistics, as a maintained server has
        db.session.commit()
        for respondents, survey_id in survey_ids.items():
            db.session.expunge_all()
            survey = db.session.get(Survey, survey_id)
            answers = respondents * SUBJECTS * DIMENSIONS

            def recompute(survey=survey):
                # Not survey_report: that returns the report cached for this survey version.
                return reports.compute_report(survey)

            def baseline(survey_id=survey_id):
                return db.session.execute(BASELINE, {"survey_id": survey_id, "excluded": False}).all()

            report = recompute()  # warm up (the ORM's loaded structure, numpy)
            baseline()
            assert report.ballots == respondents, report.ballots
            base, base_times = _best(baseline, repeat)
            full, full_times = _best(recompute, repeat)
            stage_load, _ = _best(lambda survey=survey: load_counted(survey), repeat)
            from_rows, _ = _best(lambda survey=survey: answers_from_ratings(survey), repeat)
            figures.append({"db": label, "answers": answers, "baseline": base, "recompute": full, "load": stage_load,
                            "rows": from_rows})
            print(f"[{label}] {answers:>9,} answers: baseline {base:.3f} s  recompute {full:.3f} s  "
                  f"(of which load_counted {stage_load:.3f} s; the fallback read of the rows alone "
                  f"{from_rows:.3f} s)  ratio {full / base:.2f}×  "
                  f"[runs: baseline {', '.join(f'{t:.3f}' for t in base_times)}; "
                  f"recompute {', '.join(f'{t:.3f}' for t in full_times)}]", flush=True)
            if profile and respondents == max(SIZES):
                profiler = cProfile.Profile()
                profiler.runcall(recompute)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
        db.session.remove()
        db.engine.dispose()
    return figures


def _postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL + "postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception as error:  # noqa: BLE001 — any failure means "no server here"
        print(f"[postgresql] skipped: {type(error).__name__}: {str(error).splitlines()[0]}")
        return False


def run_postgres(repeat: int, profile: bool) -> list[dict]:
    admin = create_engine(POSTGRES_URL + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    try:
        url = make_url(POSTGRES_URL).set(database=BENCH_DATABASE).render_as_string(hide_password=False)
        return run(url, "postgresql", repeat, profile)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        admin.dispose()


def _summary(figures: list[dict]) -> None:
    print("\nSummary (best of runs, seconds)")
    print(f"{'database':<11} {'answers':>10} {'baseline':>9} {'recompute':>10} {'load':>7} {'ratio':>6}")
    for f in figures:
        print(f"{f['db']:<11} {f['answers']:>10,} {f['baseline']:>9.3f} {f['recompute']:>10.3f} "
              f"{f['load']:>7.3f} {f['recompute'] / f['baseline']:>5.2f}×")
    for name in sorted({f["db"] for f in figures}):
        small, large = sorted((f for f in figures if f["db"] == name), key=lambda f: f["answers"])
        growth = large["recompute"] / small["recompute"]
        print(f"{name}: 10× the answers took {growth:.1f}× the recompute time "
              f"(baseline {large['baseline'] / small['baseline']:.1f}×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (best is kept)")
    parser.add_argument("--profile", action="store_true", help="cProfile one 1M-answer recompute")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = []
    with tempfile.TemporaryDirectory() as directory:
        figures += run(f"sqlite:///{Path(directory) / 'bench.db'}", "sqlite", args.repeat, args.profile)
    if not args.no_postgres and _postgres_available():
        figures += run_postgres(args.repeat, args.profile)
    _summary(figures)
    print(f"median ratio {statistics.median(f['recompute'] / f['baseline'] for f in figures):.2f}×; "
          f"whole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
