"""Components whose scores come from an indicator system (source TARGETS, 指标考评).

A unit subject's score is its unit's total in the system (services/targets/scores.py)
rescaled to 0–100: total ÷ the system's points × 100. Only **final** totals count (the
sheet's 核验 closed); a unit with no approved sheet, or still 预估, has no score: the
subject is 缺项 for that component, as a survey without an index is. Like a linked survey,
the values are read every time the plan is computed, never stored (docs/assessment.md).
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from survey_app.errors import DomainError
from survey_app.models.assessment import AssessmentPlan, ComponentSource, PlanComponent, PlanSubject
from survey_app.models.target import IndicatorSystem
from survey_app.services.assessment.plan_view import PlanView, SubjectView
from survey_app.services.targets import scores


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One TARGETS component for one subject: the system, the unit's scores (None: no
    approved sheet), the score the plan counts (None: 缺项) and why not, if not."""

    component: PlanComponent
    system: IndicatorSystem
    points: float
    #: The system's 一级指标 (name, points), as the unit's subtotals are ordered.
    top_level: tuple[tuple[str, float], ...]
    unit: scores.UnitScore | None
    score: float | None
    note: str


def rescaled(unit: scores.UnitScore | None, points: float) -> float | None:
    """The total on 0–100, or None when there is none yet or it is still provisional."""
    if unit is None or not unit.is_final or points <= 0:
        return None
    return min(max(unit.total / points * 100.0, 0.0), 100.0)


def system_scores(system: IndicatorSystem, cache: dict[int, scores.SystemScores | None], *,
                  wording: bool = True) -> scores.SystemScores | None:
    """The system's scores (None when a stored value cannot be scored: every subject 缺项)."""
    if system.id not in cache:
        try:
            cache[system.id] = scores.score_system(system, with_previous=False, wording=wording)
        except DomainError:
            cache[system.id] = None
    return cache[system.id]


def component_values(component: PlanComponent, cache: dict[int, scores.SystemScores | None]) -> dict[str, float | None]:
    """Unit name → the component's score, for every unit with an approved sheet."""
    system = component.indicator_system
    result = system_scores(system, cache, wording=False) if system is not None else None
    if result is None:
        return {}
    return {unit.unit_name: rescaled(unit, result.points) for unit in result.units}


def _note(unit: scores.UnitScore | None) -> str:
    if unit is None:
        return _("该单位尚无已审定的目标，缺项")
    if not unit.is_final:
        return _("核验尚未完成（预估），不计入综合得分，缺项")
    return ""


def subject_breakdowns(subject: PlanSubject, cache: dict[int, scores.SystemScores | None] | None = None
                       ) -> list[Breakdown]:
    """The 指标考评 breakdown of every TARGETS component of the subject's category."""
    cache = {} if cache is None else cache
    found = []
    for component in subject.category.components:
        if component.source is not ComponentSource.TARGETS or component.indicator_system is None:
            continue
        result = system_scores(component.indicator_system, cache)
        unit = result.unit(subject.unit_id) if result is not None and subject.unit_id is not None else None
        points = result.points if result is not None else component.indicator_system.points
        top = tuple((t.name, t.points) for t in result.top_level) if result is not None else ()
        found.append(Breakdown(component, component.indicator_system, points, top, unit, rescaled(unit, points),
                               _note(unit)))
    return found


def plan_breakdowns(plan: AssessmentPlan, view: PlanView) -> list[tuple[SubjectView, Breakdown]]:
    """Every (visible) subject's 指标考评 breakdowns, in the view's order (the committee exports)."""
    if not any(c.source is ComponentSource.TARGETS for cat in plan.categories for c in cat.components):
        return []
    subjects = {s.id: s for s in plan.subjects}
    cache: dict[int, scores.SystemScores | None] = {}
    return [(row, item) for row in view.subjects for item in subject_breakdowns(subjects[row.subject_id], cache)]
