"""Benchmark: 指标考评 for 200 units × 80 leaf indicators, scored and summed up the tree
through the service, and an assessment plan's composite recomputed from it, against a
plain numpy pass over the same values.

Seeds an in-memory SQLite database (its own seed, nothing read from the machine): a
published 考核细则 of 4 一级指标 × 20 leaves (1.25 points each; completion ratio with
difficulty coefficients, deduction per shortfall step, count deductions, judged scores and
rank points, so every unit's rank leaf depends on all the others), 200 units with approved,
verified sheets, and a unit plan whose 指标考评 component (weight 60) takes the totals and
whose 领导评价 (weight 40) is entered. Then it times, best of --repeat:

- scores: `services.targets.scores.score_system` (the query, one engine pass per leaf,
  the tree's totals and ranks), then again with every unit's arithmetic in words (the
  unit pages and exports);
- plan: `services.assessment.grading.compute_plan` (the same scores, rescaled, plus the
  composites, ranks, quotas and reasons of 200 subjects);
- numpy: the same 80 leaves and the composite computed directly on arrays;

checks that both give the same totals and composites, and prints the figures and the
ratios. Exits 1 on any error or difference, in any phase.

    .venv/bin/python bench/targets_plan.py [--repeat 3] [--units 200]

Not a test: figures are recorded in docs/benchmarks.md ("指标考评 and the plan").
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey_app import create_app  # noqa: E402
from survey_app.config import TestingConfig  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Role, Unit  # noqa: E402
from survey_app.models.assessment import ComponentScore, ComponentSource, PlanSubjectKind  # noqa: E402
from survey_app.models.target import (  # noqa: E402
    IndicatorNode,
    SheetState,
    TargetResult,
    TargetSheet,
    UnitTarget,
)
from survey_app.services.assessment import grading, plans  # noqa: E402
from survey_app.services.platform import users  # noqa: E402
from survey_app.services.targets import scores, systems  # noqa: E402

SEED = 20261211
TOPS, PER_TOP, LEAF_POINTS = 4, 20, 1.25
METHODS = ("completion_ratio", "linear_deduction", "count_deduction", "judged", "rank_points")
PARAMETERS = {
    "completion_ratio": {"cap": 1},
    "linear_deduction": {"step": 1, "per_step": 0.05, "basis": "percent"},
    "count_deduction": {"per_occurrence": 0.25},
    "judged": {},
    "rank_points": {"points_by_place": [1.25, 1.0, 0.75, 0.5]},
}
NOW = datetime(2027, 1, 20, tzinfo=UTC)


def _system_data() -> dict:
    leaves = [[{"name": f"指标{t + 1}.{i + 1}", "points": LEAF_POINTS, "method": METHODS[(t * PER_TOP + i) % 5],
                "parameters": PARAMETERS[METHODS[(t * PER_TOP + i) % 5]]} for i in range(PER_TOP)]
              for t in range(TOPS)]
    return {"format_version": 1, "year": 2026, "category": "市直单位", "title": "基准考核细则", "points": 100,
            "indicators": [{"name": f"一级指标{t + 1}", "points": LEAF_POINTS * PER_TOP, "children": leaves[t]}
                           for t in range(TOPS)]}


def _values(n_units: int, leaves: list[IndicatorNode], rng: random.Random) -> dict[str, np.ndarray]:
    """Per leaf code: (target, actual, difficulty) columns; per unit: the leaders' score."""
    values = {}
    for node in leaves:
        if node.method == "completion_ratio":
            target = np.array([rng.choice((50.0, 80.0, 100.0)) for _ in range(n_units)])
            actual = np.round(target * np.array([rng.uniform(0.6, 1.2) for _ in range(n_units)]), 2)
            difficulty = np.array([rng.choice((1.0, 1.0, 1.1, 1.2)) for _ in range(n_units)])
        elif node.method == "linear_deduction":
            target = np.full(n_units, 100.0)
            actual = np.array([float(rng.randint(60, 110)) for _ in range(n_units)])
            difficulty = np.ones(n_units)
        elif node.method == "count_deduction":
            target, actual = np.full(n_units, np.nan), np.array([float(rng.randint(0, 6)) for _ in range(n_units)])
            difficulty = np.ones(n_units)
        elif node.method == "judged":
            target = np.full(n_units, np.nan)
            actual = np.array([round(rng.uniform(0, LEAF_POINTS), 2) for _ in range(n_units)])
            difficulty = np.ones(n_units)
        else:
            target, actual = np.full(n_units, np.nan), np.array([float(rng.randint(0, 40)) for _ in range(n_units)])
            difficulty = np.ones(n_units)
        values[node.code] = np.vstack([target, actual, difficulty])
    return values


def seed(n_units: int):
    rng = random.Random(SEED)
    actor = users.create_user("bench", "bench-password-123", Role.ADMIN)
    system = systems.import_system(_system_data(), actor)
    systems.publish_system(system, actor)
    leaves = sorted((n for n in system.nodes if n.method), key=lambda n: [int(p) for p in n.code.split(".")])
    values = _values(n_units, leaves, rng)
    units = [Unit(name=f"单位{i:03d}", category="市直单位") for i in range(n_units)]
    db.session.add_all(units)
    db.session.flush()
    for i, unit in enumerate(units):
        sheet = TargetSheet(system_id=system.id, unit_id=unit.id, state=SheetState.APPROVED, approved_at=NOW,
                            verified_at=NOW)
        for node in leaves:
            target, actual, difficulty = values[node.code][:, i]
            row = UnitTarget(node_id=node.id, value=None if np.isnan(target) else float(target),
                             difficulty=float(difficulty))
            judged = node.method == "judged"
            row.result = TargetResult(verified_value=None if judged else float(actual),
                                      judged_score=float(actual) if judged else None)
            sheet.targets.append(row)
        db.session.add(sheet)
    db.session.flush()
    plan = plans.create_plan({"title": "基准绩效考评", "year": 2026, "subject_kind": PlanSubjectKind.UNIT,
                              "quota_percent": 20}, actor)
    category = plans.add_category(plan, "市直单位", actor)
    plans.add_component(category, {"name": "指标考评", "weight": 60, "source": ComponentSource.TARGETS,
                                   "indicator_system_id": system.id}, actor)
    leaders = plans.add_component(category, {"name": "领导评价", "weight": 40, "source": ComponentSource.MANUAL},
                                  actor)
    leader_scores = np.array([round(rng.uniform(60, 100), 2) for _ in range(n_units)])
    for i, unit in enumerate(units):
        subject = plans.add_subject(plan, {"key": f"U{i:03d}", "name": unit.name, "unit_name": unit.name,
                                           "category_id": category.id}, actor)
        subject.scores.append(ComponentScore(component_id=leaders.id, verified_score=float(leader_scores[i])))
    db.session.commit()
    return system.id, plan.id, leaves, values, leader_scores


def numpy_pass(leaves: list[IndicatorNode], values: dict[str, np.ndarray], leader_scores: np.ndarray):
    """The same scores on plain arrays: per leaf by its rule, summed, then the composite."""
    total = np.zeros(leader_scores.shape[0])
    for node in leaves:
        target, actual, difficulty = values[node.code]
        p = LEAF_POINTS
        if node.method == "completion_ratio":
            earned = p * np.minimum(actual / target, 1.0)
        elif node.method == "linear_deduction":
            miss = np.maximum(target - actual, 0) / target * 100
            earned = p - np.minimum(miss * 0.05, p)
        elif node.method == "count_deduction":
            earned = p - np.minimum(actual * 0.25, p)
        elif node.method == "judged":
            earned = actual
        else:
            place = 1 + (actual[None, :] > actual[:, None]).sum(axis=1)
            table = np.array(PARAMETERS["rank_points"]["points_by_place"])
            earned = np.where(place <= table.size, table[np.minimum(place, table.size) - 1], 0.0)
        total += np.minimum(earned * difficulty, p)
    composite = np.floor((0.6 * total + 0.4 * leader_scores) * 100 + 0.5 + 1e-9) / 100
    return total, composite


def _best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        system_id, plan_id, leaves, values, leader_scores = seed(args.units)
        print(f"seeded {args.units} units × {len(leaves)} leaves in {time.perf_counter() - start:.2f} s")
        from survey_app.models.assessment import AssessmentPlan
        from survey_app.models.target import IndicatorSystem

        def service_scores():
            db.session.expire_all()
            return scores.score_system(db.session.get(IndicatorSystem, system_id), with_previous=False,
                                       wording=False)

        def worded_scores():
            db.session.expire_all()
            return scores.score_system(db.session.get(IndicatorSystem, system_id), with_previous=False)

        def plan_compute():
            db.session.expire_all()
            return grading.compute_plan(db.session.get(AssessmentPlan, plan_id))

        scores_time, result = _best(service_scores, args.repeat)
        worded_time, worded = _best(worded_scores, args.repeat)
        if [u.total for u in worded.units] != [u.total for u in result.units] or not worded.units[0].leaves[0].wording:
            print("ERROR: the worded scores differ", file=sys.stderr)
            return 1
        plan_time, view = _best(plan_compute, args.repeat)
        numpy_time, (totals, composites) = _best(lambda: numpy_pass(leaves, values, leader_scores), args.repeat)
        by_name = {u.unit_name: u.total for u in result.units}
        service_totals = np.array([by_name[f"单位{i:03d}"] for i in range(args.units)])
        shown = {row.name: row.composite for row in view.subjects}
        service_composites = np.array([shown[f"单位{i:03d}"] for i in range(args.units)])
        worst_total = float(np.max(np.abs(service_totals - totals)))
        worst_composite = float(np.max(np.abs(service_composites - composites)))
        print(f"scores (service, {args.units} × {len(leaves)}): {scores_time * 1000:8.1f} ms")
        print(f"scores and every leaf in words:      {worded_time * 1000:8.1f} ms")
        print(f"plan composite (service):            {plan_time * 1000:8.1f} ms")
        print(f"numpy pass (same values):            {numpy_time * 1000:8.3f} ms")
        print(f"ratio scores / numpy: {scores_time / numpy_time:.0f}×, plan / numpy: {plan_time / numpy_time:.0f}×")
        print(f"largest difference: totals {worst_total:.2e}, composites {worst_composite:.2e}")
        if worst_total > 1e-9 or worst_composite > 0.0051:
            print("ERROR: the service and the numpy pass disagree", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # noqa: BLE001 — any failure in any phase is a failed run
        print(f"ERROR: {type(error).__name__}: {error}", file=sys.stderr)
        raise SystemExit(1) from error
