"""Target sheets, targets and results made directly with the models (the negotiation and
the 自评/核验 pages are built elsewhere): the worked example of docs/targets.md, "Scores".

The demo system's leaves: 1.1 招商引资 (30, 按差距扣分 每低1%扣0.5分), 1.2 重点项目 (30,
完成率), 2.1 党建 (20, 核验评定), 2.2 作风纪律 (10, 每次扣2分), 3.1 改革创新 (6, 名次 6/5/4),
3.2 经验推广 (4, 级别加分 最多4分).
"""

from datetime import UTC, datetime

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.target import (
    IndicatorNode,
    IndicatorSystem,
    SheetState,
    TargetResult,
    TargetSheet,
    UnitTarget,
)
from survey_app.services.targets import systems
from tests.app.targets_helpers import demo_data

VERIFIED_AT = datetime(2027, 1, 20, 8, 0, tzinfo=UTC)

#: leaf code → (目标值, verified value, self value, judged score, difficulty); the level leaf
#: 3.2 (国家 2、省 1.5、市 1 分) takes counts per level instead of values.
A = {"1.1": (100, 96, 97, None, 1), "1.2": (10, 8, 8, None, 1.1), "2.1": (None, None, None, 18, 1),
     "2.2": (None, 1, 1, None, 1), "3.1": (None, 90, 90, None, 1), "3.2": (None, {"省": 2}, {"省": 2}, None, 1)}
B = {"1.1": (50, 50, 50, None, 1), "1.2": (10, 12, 12, None, 1), "2.1": (None, None, None, 15, 1),
     "2.2": (None, 0, 0, None, 1), "3.1": (None, 90, 90, None, 1), "3.2": (None, {"国家": 2, "市": 1}, {"国家": 2, "市": 1}, None, 1)}
#: Not verified yet: its own values (预估); no judged score, nothing for 3.2 (未填报).
C = {"1.1": (100, None, 80, None, 1), "1.2": (5, None, 5, None, 1), "2.1": (None, None, None, None, 1),
     "2.2": (None, None, 3, None, 1), "3.1": (None, None, 70, None, 1)}


def unit(name: str, category: str = "市直单位") -> Unit:
    found = db.session.scalar(select(Unit).where(Unit.name == name))
    if found is None:
        found = Unit(name=name, category=category)
        db.session.add(found)
        db.session.flush()
    return found


def demo_system(year: int = 2026, publish: bool = True) -> IndicatorSystem:
    data = demo_data()
    data["year"], data["title"] = year, f"{year}年度市直单位绩效考评考核细则"
    system = systems.import_system(data, None)
    if publish:
        systems.publish_system(system, None)
    return system


def sheet(system: IndicatorSystem, unit_name: str, values: dict, *, verified: bool = True,
          state: SheetState = SheetState.APPROVED) -> TargetSheet:
    """An approved sheet with a target per leaf and the results given (None: nothing)."""
    nodes = {n.code: n for n in db.session.scalars(select(IndicatorNode).where(IndicatorNode.system_id == system.id))}
    made = TargetSheet(system_id=system.id, unit_id=unit(unit_name).id, state=state,
                       approved_at=VERIFIED_AT, verified_at=VERIFIED_AT if verified else None)
    db.session.add(made)
    for code, node in nodes.items():
        if node.method is None:
            continue
        goal, checked, own, judged, difficulty = values.get(code, (None, None, None, None, 1))
        target = UnitTarget(node_id=node.id, value=goal, difficulty=difficulty)
        made.targets.append(target)
        if code in values and (checked, own, judged) != (None, None, None):
            if isinstance(checked, dict) or isinstance(own, dict):  # a level leaf: counts per level
                target.result = TargetResult(verified_counts=checked, self_counts=own)
            else:
                target.result = TargetResult(verified_value=checked, self_value=own, judged_score=judged)
    db.session.flush()
    return made


def worked_example(year: int = 2026) -> IndicatorSystem:
    """The system with units 甲局 (A, final), 乙局 (B, final), 丙局 (C, provisional) and
    丁局, whose sheet is not approved yet (left out)."""
    system = demo_system(year)
    sheet(system, "甲局", A)
    sheet(system, "乙局", B)
    sheet(system, "丙局", C, verified=False)
    sheet(system, "丁局", B, state=SheetState.CONFIRMED)
    return system


def targets_plan(system: IndicatorSystem, actor, year: int = 2026):
    """A unit plan: category 市直单位 with 指标考评 (TARGETS, 60) and 领导评价 (manual, 40; 80
    for everyone), subjects 甲局, 乙局, 丙局. Composites: 甲局 0.6 × 89.4 + 32 = 85.64, 乙局
    0.6 × 95 + 32 = 89.00, 丙局 缺项 (its scores are 预估)."""
    from survey_app.models.assessment import ComponentSource, PlanSubjectKind
    from survey_app.services.assessment import plans, scoring

    plan = plans.create_plan({"title": f"{year}年度市直单位绩效考评", "year": year,
                              "subject_kind": PlanSubjectKind.UNIT, "quota_percent": 30}, actor)
    category = plans.add_category(plan, "市直单位", actor)
    plans.add_component(category, {"name": "指标考评", "weight": 60, "source": ComponentSource.TARGETS,
                                   "indicator_system_id": system.id}, actor)
    leaders = plans.add_component(category, {"name": "领导评价", "weight": 40, "source": ComponentSource.MANUAL}, actor)
    for i, name in enumerate(("甲局", "乙局", "丙局"), 1):
        subject = plans.add_subject(plan, {"key": f"U{i}", "name": name, "unit_name": name,
                                           "category_id": category.id}, actor)
        scoring.set_score(subject, leaders, None, 80, actor)
    db.session.flush()
    return plan
