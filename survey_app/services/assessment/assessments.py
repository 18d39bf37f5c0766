"""Year-end assessment plans (年度考核 / 绩效考评): set-up, scores, bonus and deduction
items, the computed proposal, overrides and confirmation.

The adapter to `analytics.assessment`: plans are read into frozen inputs, linked surveys'
indices come from `services.reports`, and the result is turned into view models with a
worded reason per subject. Nothing computed is stored while a plan is open: every read
recomputes, and every change is audit-logged with the subject's composite before and
after. Confirmation writes the signed grades into GradeDecision and locks the plan.
The rules are in docs/assessment.md.
"""

import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from analytics import assessment as core
from survey_app.errors import NotFound, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import SubjectKind, Survey, SurveyKind, SurveyStatus, Unit, User
from survey_app.models.assessment import (
    DEFAULT_GRADE_BANDS,
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentScore,
    ComponentSource,
    GradeDecision,
    PlanCategory,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
    grade_band_problems,
)
from survey_app.models.base import utcnow
from survey_app.services.design import surveys
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.results import report_models, reports

TARGET = "assessment_plan"
UNCATEGORIZED = "未分类"
PLAN_FIELDS = (
    "title", "year", "quota_percent", "raised_quota_percent", "excellent_label", "grade_bands",
    "bonus_cap", "deduction_cap", "veto_survey_id",
)
FLAG_FIELDS = (
    "is_priority", "priority_reason", "meets_raised_condition", "raised_reason", "is_vetoed", "veto_reason",
)


# ---- view models ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartView:
    """One component's line of the breakdown: score × share = points."""

    component_id: int
    label: str
    weight: float
    share: float
    score: float | None
    self_score: float | None
    points: float | None
    is_linked: bool
    source_label: str


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    id: int
    kind: AdjustmentKind
    points: float
    reason: str
    document: str


@dataclass(frozen=True, slots=True)
class SubjectView:
    subject_id: int
    key: str
    name: str
    unit: str
    category: str
    parts: tuple[PartView, ...]
    base: float | None
    bonus_items: float
    bonus: float
    deduction_items: float
    deduction: float
    composite: float | None
    is_clipped: bool
    missing: tuple[str, ...]
    rank: int | None
    band_grade: str | None
    proposed_grade: str | None
    outcome: core.Outcome
    reason: str
    #: The grade that counts: the override, else the proposal; after confirmation, as signed.
    final_grade: str | None
    is_overridden: bool
    override_reason: str
    is_priority: bool
    priority_reason: str
    meets_raised_condition: bool
    raised_reason: str
    is_vetoed: bool
    veto_reason: str
    negative_share: float | None
    #: A veto holds (the organizer's, or the 民主测评 share above its threshold): never 优秀.
    is_veto_applied: bool
    adjustments: tuple[AdjustmentView, ...]
    #: After confirmation: the composite as signed, and whether a recomputation now differs.
    confirmed_composite: float | None = None
    changed_since_confirmation: bool = False

    @property
    def is_excellent_candidate(self) -> bool:
        return self.outcome in (core.Outcome.EXCELLENT, core.Outcome.TIE_PENDING)


@dataclass(frozen=True, slots=True)
class CategoryView:
    category_id: int
    name: str
    components: tuple[tuple[str, float, float], ...]  # label, weight, share
    n: int
    n_raised: int
    quota: int
    quota_formula: str
    excellent: int
    pending: int
    final_excellent: int
    subjects: tuple[SubjectView, ...]  # by rank, 缺项 last


@dataclass(frozen=True, slots=True)
class PlanView:
    plan_id: int
    categories: tuple[CategoryView, ...]
    #: What keeps the plan from being confirmed (empty: it can be).
    problems: tuple[str, ...]

    @property
    def subjects(self) -> tuple[SubjectView, ...]:
        return tuple(s for c in self.categories for s in c.subjects)

    def subject(self, subject_id: int) -> SubjectView | None:
        return next((s for s in self.subjects if s.subject_id == subject_id), None)


# ---- guards and helpers -----------------------------------------------------------------------


def _require_open(plan: AssessmentPlan) -> None:
    if plan.is_confirmed:
        raise StructureLocked(_("考核结果已确认，不能再修改"))


def _require_draft(plan: AssessmentPlan) -> None:
    _require_open(plan)
    if plan.is_method_locked:
        raise StructureLocked(_("已提出建议等次，考核办法和考核对象已固定；如需修改，请先撤回建议"))


def editing_refusal(plan: AssessmentPlan, *, method: bool) -> str | None:
    """Why the plan refuses a change now (None: it allows it); `method`: a change to the
    method or the list of subjects, which only a draft allows."""
    try:
        (_require_draft if method else _require_open)(plan)
    except StructureLocked as error:
        return error.message
    return None


def _next_position(items) -> int:
    return max((item.position for item in items), default=-1) + 1


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str | None) else str(value)


def _number(value: float | None) -> str:
    """Format a score for reasons and logs: 2 decimals."""
    return "—" if value is None else f"{value:.2f}"


def _trimmed(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def share_text(share: float) -> str:
    """A share as 40% or, when it is a simple fraction such as 1/3, as that fraction."""
    if abs(share * 100 - round(share * 100)) < 1e-9:
        return f"{round(share * 100)}%"
    fraction = Fraction(share).limit_denominator(12)
    if abs(float(fraction) - share) < 1e-9:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{share * 100:.1f}%"


def _check_plan_data(data: Mapping[str, Any]) -> None:
    problems = []
    if not _text(data.get("title")):
        problems.append("请填写标题")
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.append("年度应在 2000–2100 之间")
    quota, raised = data.get("quota_percent"), data.get("raised_quota_percent")
    if quota is None or not 0 <= quota <= 100:
        problems.append("优秀比例应在 0–100 之间")
    elif raised is not None and not quota <= raised <= 100:
        problems.append("提高后的优秀比例应不低于一般比例，且不超过 100")
    for cap in ("bonus_cap", "deduction_cap"):
        if data.get(cap) is None or not 0 <= data[cap] <= 100:
            problems.append("加分和扣分上限应在 0–100 之间")
            break
    if not _text(data.get("excellent_label")):
        problems.append("请填写优秀等次名称")
    problems += grade_band_problems(data.get("grade_bands") or [], _text(data.get("excellent_label")))
    veto_id = data.get("veto_survey_id")
    if veto_id:
        veto = db.session.get(Survey, veto_id)
        if veto is None or veto.status is SurveyStatus.DRAFT:
            problems.append("否决依据只能是已发布或已结束的评议活动")
    if problems:
        raise ValidationFailed(problems[0], problems)


def _float_or_raw(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value  # grade_band_problems reports it


def _plan_data(data: Mapping[str, Any]) -> dict[str, Any]:
    clean = {key: data[key] for key in PLAN_FIELDS if key in data}
    clean["title"] = _text(clean.get("title"))
    clean["excellent_label"] = _text(clean.get("excellent_label") or "优秀")
    clean["grade_bands"] = [
        {"label": str(b.get("label", "")).strip(), "min": _float_or_raw(b.get("min"))}
        for b in clean.get("grade_bands") or []
    ]
    clean["veto_survey_id"] = clean.get("veto_survey_id") or None
    return clean


# ---- plans ------------------------------------------------------------------------------------


def list_plans(unit_ids: set[int] | None = None) -> list[AssessmentPlan]:
    """Return plans newest first; a unit-scoped user sees those assessing one of their units."""
    plans = db.session.scalars(select(AssessmentPlan).order_by(AssessmentPlan.year.desc(), AssessmentPlan.id.desc()))
    return [p for p in plans if unit_ids is None or any(s.unit_id in unit_ids for s in p.subjects)]


def create_plan(data: Mapping[str, Any], actor: User) -> AssessmentPlan:
    """Create a draft plan: title, year, kind of subjects and the grading rules."""
    clean = _plan_data({"grade_bands": [], **data})
    if not clean["grade_bands"]:
        clean["grade_bands"] = [{"label": b["label"], "min": float(b["min"])} for b in DEFAULT_GRADE_BANDS]
    clean.setdefault("quota_percent", 20)
    clean.setdefault("bonus_cap", 5.0)
    clean.setdefault("deduction_cap", 10.0)
    _check_plan_data(clean)
    kind = data.get("subject_kind", PlanSubjectKind.UNIT)
    plan = AssessmentPlan(**clean, subject_kind=PlanSubjectKind(kind), status=PlanStatus.DRAFT)
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "assessment.create", TARGET, plan.id, title=plan.title, year=plan.year,
                 subject_kind=plan.subject_kind.value)
    return plan


def update_plan(plan: AssessmentPlan, data: Mapping[str, Any], actor: User) -> None:
    """Change a draft plan's title, year and grading rules."""
    _require_draft(plan)
    clean = _plan_data({**{key: getattr(plan, key) for key in PLAN_FIELDS}, **data})
    _check_plan_data(clean)
    changed = {key: value for key, value in clean.items() if getattr(plan, key) != value}
    for key, value in changed.items():
        setattr(plan, key, value)
    if changed:
        audit.record(actor, "assessment.update", TARGET, plan.id, **{k: _loggable(v) for k, v in changed.items()})


def _loggable(value: Any) -> Any:
    return value if isinstance(value, int | float | str | list | dict | None) else str(value)


def delete_plan(plan: AssessmentPlan, actor: User, *, confirmed: bool = True) -> None:
    """Delete a draft plan and everything entered for it (the web passes `confirmed`)."""
    require_confirmation(confirmed)
    _require_draft(plan)
    audit.record(actor, "assessment.delete", TARGET, plan.id, title=plan.title)
    db.session.delete(plan)


def change_status(plan: AssessmentPlan, action: str, actor: User, now: datetime | None = None, *,
                  confirmed: bool = True) -> None:
    """Propose grades (fixes the method), withdraw the proposal, or confirm (locks the plan).

    Confirming cannot be undone: the web passes `confirmed` from its confirmation page.
    """
    if action == "confirm":
        require_confirmation(confirmed)
    if action == "propose":
        problems = proposal_problems(plan)
        if problems:
            raise ValidationFailed(_("还不能提出建议等次"), problems)
    elif action == "confirm":
        if not plan.can("confirm"):
            plan.transition(action)  # raises InvalidTransition
        view = compute_plan(plan)
        if view.problems:
            raise ValidationFailed(_("还不能确认考核结果"), list(view.problems))
        _write_decisions(plan, view, actor, now or utcnow())
    plan.transition(action)
    audit.record(actor, f"assessment.{action}", TARGET, plan.id, status=plan.status.value)


def confirmation_consequences(plan: AssessmentPlan) -> list[str]:
    """Say what confirming the plan writes and locks, with the grade counts it signs."""
    view = compute_plan(plan)
    counts: dict[str, int] = {}
    for row in view.subjects:
        counts[row.final_grade or _("未定")] = counts.get(row.final_grade or _("未定"), 0) + 1
    grades = "、".join(f"{grade} {n}" for grade, n in counts.items())
    lines = [
        _("将为 %(n)d 个考核对象记录最终等次（%(grades)s），连同综合得分、建议等次和确认人、确认时间。",
          n=len(view.subjects), grades=grades or "—"),
        _("确认后方案锁定：考核办法、分数、加减分、标记和调整等次都不能再修改，也不能撤回或删除方案。"),
    ]
    if view.problems:
        lines.append(_("目前还不能确认：%(problems)s", problems="；".join(_(p) for p in view.problems)))
    return lines


def removal_consequences(item: AssessmentPlan | PlanCategory | PlanComponent | PlanSubject | Adjustment) -> list[str]:
    """Say what deleting a plan, or removing one of its parts, deletes with it (with counts)."""
    if isinstance(item, AssessmentPlan):
        subjects = item.subjects
        return [_("方案“%(title)s”将被永久删除，不能恢复，连同其中的 %(categories)d 个类别、%(components)d 个考评项目、"
                  "%(subjects)d 个考核对象、%(scores)d 个已录入的分数和 %(adjustments)d 条加减分。",
                  title=item.title, categories=len(item.categories),
                  components=sum(len(c.components) for c in item.categories), subjects=len(subjects),
                  scores=sum(len(s.scores) for s in subjects), adjustments=sum(len(s.adjustments) for s in subjects))]
    if isinstance(item, PlanCategory):
        lines = [_("类别“%(name)s”及其 %(n)d 个考评项目将被删除，不能恢复。", name=item.name, n=len(item.components))]
        members = sum(1 for s in item.plan.subjects if s.category_id == item.id)
        if members:
            lines.append(_("类别中还有 %(n)d 个考核对象，目前不能删除：请先删除或改到其他类别。", n=members))
        return lines
    if isinstance(item, PlanComponent):
        scores = sum(1 for s in item.category.plan.subjects for row in s.scores if row.component_id == item.id)
        return [_("考评项目“%(name)s”（权重 %(weight)s）将被删除，不能恢复，连同已录入的 %(n)d 个分数。",
                  name=item.name, weight=_trimmed(item.weight), n=scores),
                _("类别“%(category)s”中各对象的综合得分和建议等次将重新计算。", category=item.category.name)]
    if isinstance(item, PlanSubject):
        lines = [_("考核对象“%(name)s”将从方案中删除，不能恢复，连同已录入的 %(scores)d 个分数和 %(adjustments)d 条加减分。",
                   name=item.name, scores=len(item.scores), adjustments=len(item.adjustments))]
        if item.decision is not None and item.decision.overridden_grade:
            lines.append(_("对它的调整等次“%(grade)s”及理由也将删除。", grade=item.decision.overridden_grade))
        return lines
    label = _("加分") if item.kind is AdjustmentKind.BONUS else _("减分")
    return [_("%(kind)s %(points)s 分（%(reason)s）将被删除；“%(name)s”的综合得分和建议等次将重新计算。",
              kind=label, points=_trimmed(item.points), reason=item.reason, name=item.subject.name)]


def override_clear_consequences(subject: PlanSubject) -> list[str]:
    """Say what 恢复建议等次 discards: the organizer's grade and its written reason."""
    decision = subject.decision
    if decision is None or decision.overridden_grade is None:
        return [_("该对象没有调整等次，无需恢复。")]
    row = compute_plan(subject.plan).subject(subject.id)
    back = (_("“%(name)s”的等次恢复为建议等次“%(proposed)s”。", name=subject.name, proposed=row.proposed_grade)
            if row.proposed_grade else _("“%(name)s”的等次恢复为建议等次，而建议等次目前尚未确定（并列或缺少分数）。",
                                         name=subject.name))
    return [_("调整等次“%(grade)s”及其理由将被丢弃，不能恢复：%(reason)s", grade=decision.overridden_grade,
              reason=decision.override_reason or "—"), back]


def proposal_problems(plan: AssessmentPlan) -> list[str]:
    """List what keeps a draft plan from proposing grades (empty when it can)."""
    problems = []
    if not plan.subjects:
        problems.append("至少需要一个考核对象")
    for category in plan.categories:
        if sum(c.weight for c in category.components) <= 0:
            problems.append(_("类别“%(name)s”还没有权重大于 0 的考评项目", name=category.name))
    return problems


def _write_decisions(plan: AssessmentPlan, view: PlanView, actor: User, now: datetime) -> None:
    for row in view.subjects:
        subject = db.session.get(PlanSubject, row.subject_id)
        decision = subject.decision or GradeDecision()
        subject.decision = decision
        decision.composite = row.composite
        decision.proposed_grade = row.proposed_grade
        decision.proposed_reason = row.reason[:300]
        decision.final_grade = row.final_grade
        decision.confirmed_by_id = actor.id if actor else None
        decision.confirmed_at = now
    plan.confirmed_at = now
    plan.confirmed_by_id = actor.id if actor else None
    audit.record(actor, "assessment.decisions", TARGET, plan.id,
                 grades={row.key: row.final_grade for row in view.subjects})


# ---- categories and components ----------------------------------------------------------------


def _category_of(plan: AssessmentPlan, category_id: int) -> PlanCategory:
    category = next((c for c in plan.categories if c.id == category_id), None)
    if category is None:
        raise NotFound(_("类别不存在"))
    return category


def add_category(plan: AssessmentPlan, name: str, actor: User) -> PlanCategory:
    """Add a unit category (县市区, 市直经济部门 …) to a draft plan."""
    _require_draft(plan)
    name = _text(name)
    if not name:
        raise ValidationFailed(_("请填写类别名称"))
    if any(c.name == name for c in plan.categories):
        raise ValidationFailed(_("类别“%(name)s”已存在", name=name))
    category = PlanCategory(name=name, position=_next_position(plan.categories))
    plan.categories.append(category)
    db.session.flush()
    audit.record(actor, "assessment.category_add", TARGET, plan.id, category=name)
    return category


def remove_category(category: PlanCategory, actor: User, *, confirmed: bool = True) -> None:
    """Remove a category that has no subjects (its components go with it)."""
    require_confirmation(confirmed)
    plan = category.plan
    _require_draft(plan)
    if any(s.category_id == category.id for s in plan.subjects):
        raise ValidationFailed(_("类别“%(name)s”中还有考核对象，不能删除", name=category.name))
    audit.record(actor, "assessment.category_remove", TARGET, plan.id, category=category.name)
    plan.categories.remove(category)


def _component_fields(category: PlanCategory, data: Mapping[str, Any], component=None) -> dict[str, Any]:
    name = _text(data.get("name"))
    weight = data.get("weight")
    source = ComponentSource(data.get("source") or ComponentSource.MANUAL)
    survey_id = data.get("survey_id") or None
    problems = []
    if not name:
        problems.append("请填写考评项目名称")
    elif any(c.name == name and c is not component for c in category.components):
        problems.append(_("考评项目“%(name)s”已存在", name=name))
    if weight is None or not 0 <= weight <= 1000:
        problems.append("权重应在 0–1000 之间")
    if source is ComponentSource.SURVEY:
        survey = db.session.get(Survey, survey_id) if survey_id else None
        if survey is None:
            problems.append("来源为评议活动时，请选择评议活动")
        elif survey.status is SurveyStatus.DRAFT:
            problems.append("只能关联已发布或已结束的评议活动")
    else:
        survey_id = None
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {"name": name, "weight": float(weight), "source": source, "survey_id": survey_id}


def add_component(category: PlanCategory, data: Mapping[str, Any], actor: User) -> PlanComponent:
    """Add a weighted component: manual scores, or a linked survey's satisfaction index."""
    _require_draft(category.plan)
    component = PlanComponent(**_component_fields(category, data), position=_next_position(category.components))
    category.components.append(component)
    db.session.flush()
    audit.record(actor, "assessment.component_add", TARGET, category.plan_id, category=category.name,
                 component=component.name, weight=component.weight, source=component.source.value,
                 survey_id=component.survey_id)
    return component


def update_component(component: PlanComponent, data: Mapping[str, Any], actor: User) -> None:
    """Change a component's name, weight or source in a draft plan."""
    category = component.category
    _require_draft(category.plan)
    fields = _component_fields(category, data, component)
    changed = {key: value for key, value in fields.items() if getattr(component, key) != value}
    for key, value in changed.items():
        setattr(component, key, value)
    if changed:
        audit.record(actor, "assessment.component_update", TARGET, category.plan_id, category=category.name,
                     component=component.name, **{k: _loggable(v) for k, v in changed.items()})


def remove_component(component: PlanComponent, actor: User, *, confirmed: bool = True) -> None:
    """Remove a component and the scores entered for it."""
    require_confirmation(confirmed)
    category = component.category
    _require_draft(category.plan)
    audit.record(actor, "assessment.component_remove", TARGET, category.plan_id, category=category.name,
                 component=component.name)
    category.components.remove(component)


# ---- subjects ---------------------------------------------------------------------------------


def add_subject(plan: AssessmentPlan, data: Mapping[str, Any], actor: User) -> PlanSubject:
    """Add a unit or cadre with its stable key to one of the plan's categories."""
    _require_draft(plan)
    key, name = _text(data.get("key")), _text(data.get("name"))
    unit_name = _text(data.get("unit_name"))
    problems = []
    if not key or re.search(r"[\s,，]", key):
        problems.append("编号不能为空，也不能含空格或逗号")
    elif any(s.key == key for s in plan.subjects):
        problems.append(_("编号“%(key)s”已被其他考核对象使用", key=key))
    if not name:
        problems.append("请填写名称")
    category = next((c for c in plan.categories if c.id == data.get("category_id")), None)
    if category is None:
        problems.append("请选择类别")
    if problems:
        raise ValidationFailed(problems[0], problems)
    if plan.subject_kind is PlanSubjectKind.UNIT:
        unit_name = unit_name or name
    unit = surveys.get_or_create_unit(unit_name, category.name) if unit_name else None
    subject = PlanSubject(key=key, name=name, unit_id=unit.id if unit else None, category=category,
                          position=_next_position(plan.subjects))
    plan.subjects.append(subject)
    db.session.flush()
    audit.record(actor, "assessment.subject_add", TARGET, plan.id, subject=key, name=name, category=category.name)
    return subject


def import_subjects(plan: AssessmentPlan, survey: Survey, actor: User) -> int:
    """Add the survey's units (unit plans) or cadres (cadre plans) not yet in the plan.

    Categories follow the units' categories and are created when missing. Units take their
    name as key; cadres keep their survey key. Returns how many subjects were added.
    """
    _require_draft(plan)
    keys = {s.key for s in plan.subjects}
    entries: list[tuple[str, str, Unit | None]] = []
    if plan.subject_kind is PlanSubjectKind.UNIT:
        seen_units: set[int] = set()
        for s in survey.subjects:
            if s.unit and s.unit.id not in seen_units:
                seen_units.add(s.unit.id)
                entries.append((s.unit.name[:64], s.unit.name, s.unit))
    else:
        entries = [(s.key, s.name, s.unit) for s in survey.subjects if s.kind is SubjectKind.CADRE]
    added = 0
    for key, name, unit in entries:
        if key in keys:
            continue
        category_name = (unit.category if unit else "") or UNCATEGORIZED
        category = next((c for c in plan.categories if c.name == category_name), None)
        if category is None:
            category = PlanCategory(name=category_name, position=_next_position(plan.categories))
            plan.categories.append(category)
        plan.subjects.append(PlanSubject(key=key, name=name, unit_id=unit.id if unit else None, category=category,
                                         position=_next_position(plan.subjects)))
        keys.add(key)
        added += 1
    db.session.flush()
    audit.record(actor, "assessment.subjects_import", TARGET, plan.id, survey_id=survey.id, added=added)
    return added


def remove_subject(subject: PlanSubject, actor: User, *, confirmed: bool = True) -> None:
    """Remove a subject and everything entered for it from a draft plan."""
    require_confirmation(confirmed)
    plan = subject.plan
    _require_draft(plan)
    audit.record(actor, "assessment.subject_remove", TARGET, plan.id, subject=subject.key, name=subject.name)
    plan.subjects.remove(subject)


@contextmanager
def _recomputed(subject: PlanSubject, actor: User, action: str, **detail) -> Iterator[dict]:
    """Log a change to a subject's inputs with its composite and proposal before and after."""
    plan = subject.plan
    linked = _linked_values(plan)
    before = _assess(plan, linked).subject(subject.key)
    extra: dict[str, Any] = {}
    yield extra
    db.session.flush()
    after = _assess(plan, linked).subject(subject.key)
    audit.record(actor, action, TARGET, plan.id, subject=subject.key, **detail, **extra,
                 composite=[before.composite.value, after.composite.value],
                 proposal=[before.grade, after.grade])


def update_flags(subject: PlanSubject, data: Mapping[str, Any], actor: User) -> None:
    """Set priority (优先), raised-quota condition and veto, each with its written reason."""
    _require_open(subject.plan)
    clean = {key: data.get(key) for key in FLAG_FIELDS}
    problems = []
    for flag, reason, message in (
        ("is_priority", "priority_reason", "请说明突出表现（疫情防控、重点项目、乡村振兴、急难险重等）"),
        ("meets_raised_condition", "raised_reason", "请说明符合的条件（省级以上综合表彰、文明单位、绩效考评优秀等）"),
        ("is_vetoed", "veto_reason", "请说明否决的理由"),
    ):
        clean[flag] = bool(clean[flag])
        clean[reason] = _text(clean[reason])[:200] if clean[flag] else ""
        if clean[flag] and not clean[reason]:
            problems.append(message)
    if problems:
        raise ValidationFailed(problems[0], problems)
    changed = {key: value for key, value in clean.items() if getattr(subject, key) != value}
    if not changed:
        return
    with _recomputed(subject, actor, "assessment.flags", **changed):
        for key, value in changed.items():
            setattr(subject, key, value)


# ---- scores and adjustments -------------------------------------------------------------------


def _manual_only(component: PlanComponent) -> None:
    if component.source is not ComponentSource.MANUAL:
        raise ValidationFailed(_("“%(name)s”的得分来自关联的评议活动，不能手工录入", name=component.name))


def _manual_component(subject: PlanSubject, component: PlanComponent) -> None:
    if component.category_id != subject.category_id:
        raise ValidationFailed(_("考评项目“%(name)s”不属于该对象的类别", name=component.name))
    _manual_only(component)


def _check_score(value: float | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise ValidationFailed(_("分数应在 0–100 之间"))


def _score_row(subject: PlanSubject, component: PlanComponent) -> ComponentScore:
    row = next((s for s in subject.scores if s.component_id == component.id), None)
    if row is None:
        row = ComponentScore(component=component)
        subject.scores.append(row)
    return row


def set_score(subject: PlanSubject, component: PlanComponent, self_score: float | None,
              verified_score: float | None, actor: User) -> None:
    """Enter a manual component's self-assessment and verified scores (both kept)."""
    _require_open(subject.plan)
    _manual_component(subject, component)
    _check_score(self_score)
    _check_score(verified_score)
    existing = next((s for s in subject.scores if s.component_id == component.id), None)
    old = (existing.self_score, existing.verified_score) if existing else (None, None)
    if old == (self_score, verified_score):
        return
    row = existing or _score_row(subject, component)
    with _recomputed(subject, actor, "assessment.score", component=component.name,
                     self_score=[old[0], self_score], verified_score=[old[1], verified_score]):
        row.self_score, row.verified_score = self_score, verified_score


#: In `store_scores`: leave this score as it is.
KEEP = object()

_LINE_SPLIT = re.compile(r"\s*[,，\t]\s*")


def _parse_score_lines(plan: AssessmentPlan, component: PlanComponent, lines: str,
                       unit_ids: Collection[int] | None = None):
    # A scoped user's lines find their units' subjects only: another unit's is "not found",
    # as in the workbook import, so a refusal reveals nothing about it.
    subjects = [s for s in plan.subjects if unit_ids is None or s.unit_id in unit_ids]
    by_key = {s.key: s for s in subjects}
    by_name: dict[str, list[PlanSubject]] = {}
    for s in subjects:
        by_name.setdefault(s.name, []).append(s)
    parsed, errors, seen = [], [], set()
    for number, line in enumerate((lines or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = _LINE_SPLIT.split(line.strip())
        if len(parts) == 1:
            parts = line.split()
        if len(parts) != 2:
            errors.append(_("第 %(n)d 行：应为“编号或名称, 分数”", n=number))
            continue
        ident, text = parts
        named = by_name.get(ident, [])
        subject = by_key.get(ident) or (named[0] if len(named) == 1 else None)
        try:
            score = float(text)
        except ValueError:
            score = None
        if subject is None:
            errors.append(_("第 %(n)d 行：找不到编号或名称“%(id)s”", n=number, id=ident))
        elif subject.category_id != component.category_id:
            errors.append(_("第 %(n)d 行：“%(id)s”不属于类别“%(category)s”", n=number, id=ident,
                            category=component.category.name))
        elif subject.id in seen:
            errors.append(_("第 %(n)d 行：“%(id)s”重复出现", n=number, id=ident))
        elif score is None or not 0 <= score <= 100:
            errors.append(_("第 %(n)d 行：分数应为 0–100 的数字", n=number))
        else:
            seen.add(subject.id)
            parsed.append((subject, score))
    if not parsed and not errors:
        errors.append("请至少填写一行")
    return parsed, errors


def set_scores_in_bulk(plan: AssessmentPlan, component: PlanComponent, lines: str, field: str,
                       actor: User, unit_ids: Collection[int] | None = None) -> int:
    """Enter one manual component's scores from pasted "编号或名称, 分数" lines, all or nothing.

    `field` is "verified_score" (核验分) or "self_score" (自评分). Only subjects of `unit_ids`
    (the user's scope, when given) are found. Returns the lines stored.
    """
    _require_open(plan)
    if component.category.plan_id != plan.id:
        raise NotFound(_("考评项目不存在"))
    _manual_only(component)
    if field not in ("verified_score", "self_score"):
        raise ValidationFailed(_("请选择录入自评分还是核验分"))
    parsed, errors = _parse_score_lines(plan, component, lines, unit_ids)
    if errors:
        raise ValidationFailed(errors[0], errors)
    entries = [(subject, score, KEEP) if field == "self_score" else (subject, KEEP, score)
               for subject, score in parsed]
    store_scores(plan, component, entries, actor, "assessment.scores_bulk", field=field)
    return len(parsed)


@contextmanager
def recomputed_plan(plan: AssessmentPlan, actor: User, action: str, **detail) -> Iterator[dict]:
    """Log a change to several subjects' inputs in one audit entry with, per changed subject,
    the composite and the proposal before and after. The caller fills the yielded dict with
    more detail; its "subjects" entry lists the keys it changed (only those are recorded)."""
    linked = _linked_values(plan)
    before = _assess(plan, linked)
    extra: dict[str, Any] = {"subjects": []}
    yield extra
    db.session.flush()
    after = _assess(plan, linked)
    keys = list(dict.fromkeys(extra.pop("subjects")))
    audit.record(actor, action, TARGET, plan.id, **detail, **extra,
                 composite={k: [before.subject(k).composite.value, after.subject(k).composite.value]
                            for k in keys},
                 proposal={k: [before.subject(k).grade, after.subject(k).grade] for k in keys})


def store_scores(plan: AssessmentPlan, component: PlanComponent, entries, actor: User, action: str,
                 **detail) -> list[str]:
    """Set many subjects' scores of one manual component at once, all or nothing.

    `entries` are (subject, self score, verified score) with KEEP for a score left as it is.
    One audit entry (`action`, with `detail`) records every change and the composites before
    and after. Returns the keys of the subjects whose scores changed.
    """
    _require_open(plan)
    _manual_only(component)
    for subject, self_score, verified_score in entries:
        _manual_component(subject, component)
        for value in (self_score, verified_score):
            if value is not KEEP:
                _check_score(value)
    with recomputed_plan(plan, actor, action, component=component.name, category=component.category.name,
                         **detail) as extra:
        changes = {}
        for subject, self_score, verified_score in entries:
            row = next((s for s in subject.scores if s.component_id == component.id), None)
            old = (row.self_score, row.verified_score) if row else (None, None)
            new = (old[0] if self_score is KEEP else self_score,
                   old[1] if verified_score is KEEP else verified_score)
            if new != old:
                row = row or _score_row(subject, component)
                row.self_score, row.verified_score = new
                changes[subject.key] = {"self_score": [old[0], new[0]], "verified_score": [old[1], new[1]]}
        extra["subjects"] = list(changes)
        extra["scores"] = changes
        extra["changed"], extra["unchanged"] = len(changes), len(entries) - len(changes)
    return list(changes)


def _adjustment_item(data: Mapping[str, Any], actor: User) -> Adjustment:
    kind = AdjustmentKind(data.get("kind"))
    points, reason, document = data.get("points"), _text(data.get("reason")), _text(data.get("document"))
    problems = []
    if points is None or not 0 < points <= 100:
        problems.append("分值应大于 0，且不超过 100")
    if not reason:
        problems.append("请填写加分事由" if kind is AdjustmentKind.BONUS else "请填写督查发现的问题")
    if kind is AdjustmentKind.DEDUCTION and not document:
        problems.append("扣分须注明记录该问题的文件（如督查通报文号）")
    if problems:
        raise ValidationFailed(problems[0], problems)
    return Adjustment(kind=kind, points=float(points), reason=reason[:300], document=document[:200],
                      created_by_id=actor.id if actor else None)


def add_adjustment(subject: PlanSubject, data: Mapping[str, Any], actor: User) -> Adjustment:
    """Add a 正向激励 bonus (with its reason) or a 效能督查 deduction (reason and document)."""
    _require_open(subject.plan)
    item = _adjustment_item(data, actor)
    with _recomputed(subject, actor, f"assessment.{item.kind.value}_add", points=item.points,
                     reason=item.reason, document=item.document):
        subject.adjustments.append(item)
    return item


def add_adjustments(plan: AssessmentPlan, entries, actor: User, action: str, **detail) -> list[Adjustment]:
    """Add many bonus and deduction items at once, all or nothing: `entries` are (subject, data
    as for `add_adjustment`). One audit entry (`action`, with `detail`) lists the items and the
    composites before and after."""
    _require_open(plan)
    items = [(subject, _adjustment_item(data, actor)) for subject, data in entries]
    with recomputed_plan(plan, actor, action, **detail) as extra:
        for subject, item in items:
            subject.adjustments.append(item)
        extra["subjects"] = [subject.key for subject, _item in items]
        extra["items"] = [{"subject": subject.key, "kind": item.kind.value, "points": item.points,
                           "reason": item.reason, "document": item.document} for subject, item in items]
    return [item for _subject, item in items]


def remove_adjustment(item: Adjustment, actor: User, *, confirmed: bool = True) -> None:
    """Remove a bonus or deduction item."""
    require_confirmation(confirmed)
    subject = item.subject
    _require_open(subject.plan)
    with _recomputed(subject, actor, f"assessment.{item.kind.value}_remove", points=item.points,
                     reason=item.reason):
        subject.adjustments.remove(item)


# ---- overrides --------------------------------------------------------------------------------


def override_grade(subject: PlanSubject, grade: str, reason: str, actor: User, now: datetime | None = None) -> None:
    """Set the organizer's grade in place of the proposal, with a required written reason."""
    plan = subject.plan
    _require_open(plan)
    if plan.status is not PlanStatus.PROPOSED:
        raise ValidationFailed(_("请先提出建议等次，再调整等次"))
    reason = _text(reason)
    if not reason:
        raise ValidationFailed(_("调整等次必须填写理由"))
    if grade not in plan.grade_labels:
        raise ValidationFailed(_("等次不在本方案的等次之中"))
    view = compute_plan(plan)
    row = view.subject(subject.id)
    if grade == plan.excellent_label:
        _check_excellent_override(plan, view, row)
    decision = subject.decision or GradeDecision()
    subject.decision = decision
    previous = decision.overridden_grade
    decision.overridden_grade = grade
    decision.override_reason = reason[:500]
    decision.overridden_by_id = actor.id if actor else None
    decision.overridden_at = now or utcnow()
    db.session.flush()
    audit.record(actor, "assessment.override", TARGET, plan.id, subject=subject.key, proposed=row.proposed_grade,
                 previous=previous, grade=grade, reason=decision.override_reason, composite=row.composite)


def _check_excellent_override(plan: AssessmentPlan, view: PlanView, row: SubjectView) -> None:
    if row.is_veto_applied:
        raise ValidationFailed(_("该对象有否决情形，不能评为优秀"))
    category = next(c for c in view.categories if c.name == row.category)
    others = sum(1 for s in category.subjects if s.final_grade == plan.excellent_label
                 and s.subject_id != row.subject_id)
    if others + 1 > category.quota:
        raise ValidationFailed(_("类别“%(name)s”的优秀名额（%(quota)d 个）已满，请先调整其他对象的等次",
                                 name=category.name, quota=category.quota))


def clear_override(subject: PlanSubject, actor: User, *, confirmed: bool = True) -> None:
    """Drop the organizer's grade and its reason: the proposal stands again."""
    require_confirmation(confirmed)
    plan = subject.plan
    _require_open(plan)
    decision = subject.decision
    if decision is None or decision.overridden_grade is None:
        return
    audit.record(actor, "assessment.override_clear", TARGET, plan.id, subject=subject.key,
                 grade=decision.overridden_grade)
    decision.overridden_grade = None
    decision.override_reason = ""
    decision.overridden_by_id = None
    decision.overridden_at = None


# ---- computation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Linked:
    """Values read from linked surveys: per component, lookup → index; the veto shares."""

    indices: dict[int, dict[str, float | None]]
    negative_shares: dict[str, float | None]
    negative_threshold: float | None


def _linked_values(plan: AssessmentPlan) -> _Linked:
    """Read each linked survey's results once (units by name, cadres by key)."""
    cache: dict[int, report_models.SurveyReport] = {}

    def report(survey: Survey) -> report_models.SurveyReport:
        if survey.id not in cache:
            cache[survey.id] = reports.survey_report(survey)
        return cache[survey.id]

    indices = {}
    for category in plan.categories:
        for component in category.components:
            if component.source is ComponentSource.SURVEY and component.survey is not None:
                result = report(component.survey)
                if plan.subject_kind is PlanSubjectKind.UNIT:
                    indices[component.id] = {row.name: row.index for row in result.units}
                else:
                    indices[component.id] = {row.key: row.index for row in result.subjects}
    shares: dict[str, float | None] = {}
    threshold = None
    if plan.veto_survey is not None:
        shares = {row.key: row.negative_share for row in report(plan.veto_survey).subjects}
        threshold = plan.veto_survey.negative_share_threshold
    return _Linked(indices, shares, threshold)


def _lookup(plan: AssessmentPlan, subject: PlanSubject) -> str:
    if plan.subject_kind is PlanSubjectKind.UNIT:
        return subject.unit.name if subject.unit else subject.name
    return subject.key


def _score_of(plan: AssessmentPlan, subject: PlanSubject, component: PlanComponent, linked: _Linked):
    if component.source is ComponentSource.SURVEY:
        value = linked.indices.get(component.id, {}).get(_lookup(plan, subject))
        return (None if value is None else min(max(float(value), 0.0), 100.0)), None
    row = next((s for s in subject.scores if s.component_id == component.id), None)
    return (row.verified_score, row.self_score) if row else (None, None)


def _rules(plan: AssessmentPlan, linked: _Linked) -> core.Rules:
    return core.Rules(
        bands=tuple(core.GradeBand(b["label"], float(b["min"])) for b in plan.grade_bands),
        excellent_label=plan.excellent_label,
        quota_percent=plan.quota_percent,
        raised_quota_percent=plan.raised_quota_percent,
        bonus_cap=plan.bonus_cap,
        deduction_cap=plan.deduction_cap,
        negative_share_threshold=linked.negative_threshold,
    )


def _assess(plan: AssessmentPlan, linked: _Linked) -> core.AssessmentResult:
    categories = tuple(
        core.Category(c.name, tuple(core.Component(p.name, p.weight) for p in c.components))
        for c in plan.categories
    )
    subjects = tuple(
        core.SubjectInput(
            key=s.key,
            category=s.category.name,
            scores=tuple(_score_of(plan, s, p, linked)[0] for p in s.category.components),
            bonuses=tuple(a.points for a in s.adjustments if a.kind is AdjustmentKind.BONUS),
            deductions=tuple(a.points for a in s.adjustments if a.kind is AdjustmentKind.DEDUCTION),
            is_priority=s.is_priority,
            meets_raised_condition=s.meets_raised_condition,
            is_vetoed=s.is_vetoed,
            negative_share=linked.negative_shares.get(s.key),
        )
        for s in plan.subjects
    )
    return core.assess(categories, subjects, _rules(plan, linked))


def _band_rule(plan: AssessmentPlan, grade: str) -> str:
    bands = plan.grade_bands
    index = next(i for i, b in enumerate(bands) if b["label"] == grade)
    if bands[index]["min"] > 0 or index == 0:
        return _("%(min)s 分及以上", min=_trimmed(bands[index]["min"]))
    return _("低于 %(min)s 分", min=_trimmed(bands[index - 1]["min"]))


def _reason(plan: AssessmentPlan, subject: PlanSubject, result: core.SubjectResult, quota: int,
            displaced: bool = False) -> str:
    """Word the proposal's reason in the user's language (`displaced`: a priority candidate
    with a lower composite took the place)."""
    c = result.composite
    if result.outcome is core.Outcome.INCOMPLETE:
        if not c.missing:
            return _("缺项：本类别还没有权重大于 0 的考评项目")
        return _("缺项：%(items)s尚无得分", items="、".join(c.missing))
    score, rank = _number(c.value), result.rank
    if result.outcome is core.Outcome.TIE_PENDING:
        return _("并列待定：综合得分 %(score)s，%(n)d 个对象并列，争 %(places)d 个优秀名额，请组织部门确定",
                 score=score, n=result.tie_size, places=result.open_places)
    if result.outcome is core.Outcome.EXCELLENT:
        text = _("综合得分 %(score)s，类别内第 %(rank)d 名，优秀名额 %(quota)d 个", score=score, rank=rank, quota=quota)
        if subject.is_priority:
            text += _("；优先评优：%(reason)s", reason=subject.priority_reason)
        return text
    grade = result.grade or ""
    band = _band_rule(plan, grade)
    why = result.not_excellent
    if why is core.NotExcellent.NEGATIVE_SHARE:
        return _("否决：民主测评不称职比例 %(share)s 超过 %(threshold)s；综合得分 %(score)s，按分数线评为%(grade)s",
                 share=share_text(result.negative_share or 0), threshold=share_text(plan.veto_survey.negative_share_threshold),
                 score=score, grade=grade)
    if why is core.NotExcellent.VETOED:
        return _("否决：%(reason)s；综合得分 %(score)s，按分数线评为%(grade)s", reason=subject.veto_reason,
                 score=score, grade=grade)
    if why is core.NotExcellent.QUOTA_FULL:
        if quota == 0:
            return _("综合得分 %(score)s，类别内第 %(rank)d 名，本类别没有优秀名额，评为%(grade)s（%(band)s）",
                     score=score, rank=rank, grade=grade, band=band)
        if displaced:
            return _("综合得分 %(score)s，类别内第 %(rank)d 名，优秀名额 %(quota)d 个已优先安排给表现突出的对象，"
                     "评为%(grade)s（%(band)s）", score=score, rank=rank, quota=quota, grade=grade, band=band)
        return _("综合得分 %(score)s，类别内第 %(rank)d 名，优秀名额 %(quota)d 个已满，评为%(grade)s（%(band)s）",
                 score=score, rank=rank, quota=quota, grade=grade, band=band)
    return _("综合得分 %(score)s，类别内第 %(rank)d 名，评为%(grade)s（%(band)s）",
             score=score, rank=rank, grade=grade, band=band)


def _quota_formula(plan: AssessmentPlan, summary: core.CategoryResult) -> str:
    regular = summary.n - summary.n_raised
    if plan.raised_quota_percent is not None and summary.n_raised:
        return f"⌊{plan.quota_percent}% × {regular} + {plan.raised_quota_percent}% × {summary.n_raised}⌋ = {summary.quota}"
    return f"⌊{plan.quota_percent}% × {summary.n}⌋ = {summary.quota}"


def _source_label(component: PlanComponent) -> str:
    if component.source is ComponentSource.SURVEY and component.survey is not None:
        return _("关联：%(title)s", title=component.survey.title)
    return _("手工录入（核验分）")


def _subject_view(plan: AssessmentPlan, subject: PlanSubject, result: core.SubjectResult,
                  summary: core.CategoryResult, lowest_priority: float | None, linked: _Linked) -> SubjectView:
    c = result.composite
    components = subject.category.components
    parts = tuple(
        PartView(
            component_id=component.id, label=part.label, weight=part.weight, share=part.share,
            score=part.score, self_score=_score_of(plan, subject, component, linked)[1], points=part.points,
            is_linked=component.source is ComponentSource.SURVEY, source_label=_source_label(component),
        )
        for component, part in zip(components, c.parts, strict=True)
    )
    decision = subject.decision
    overridden = decision.overridden_grade if decision else None
    final = overridden or result.grade
    confirmed_composite, changed = None, False
    if plan.is_confirmed and decision is not None:
        final, confirmed_composite = decision.final_grade, decision.composite
        changed = confirmed_composite != c.value
    return SubjectView(
        subject_id=subject.id, key=subject.key, name=subject.name,
        unit=subject.unit.name if subject.unit else "", category=subject.category.name,
        parts=parts, base=c.base, bonus_items=c.bonus_items, bonus=c.bonus,
        deduction_items=c.deduction_items, deduction=c.deduction, composite=c.value, is_clipped=c.is_clipped,
        missing=c.missing, rank=result.rank, band_grade=result.band_grade, proposed_grade=result.grade,
        outcome=result.outcome, final_grade=final,
        reason=_reason(plan, subject, result, summary.quota, displaced=(
            lowest_priority is not None and c.value is not None and c.value > lowest_priority)),
        is_overridden=overridden is not None, override_reason=decision.override_reason if decision else "",
        is_priority=subject.is_priority, priority_reason=subject.priority_reason,
        meets_raised_condition=subject.meets_raised_condition, raised_reason=subject.raised_reason,
        is_vetoed=subject.is_vetoed, veto_reason=subject.veto_reason, negative_share=result.negative_share,
        is_veto_applied=subject.is_vetoed or (
            result.negative_share is not None and linked.negative_threshold is not None
            and result.negative_share > linked.negative_threshold
        ),
        adjustments=tuple(AdjustmentView(a.id, a.kind, a.points, a.reason, a.document) for a in subject.adjustments),
        confirmed_composite=confirmed_composite, changed_since_confirmation=changed,
    )


def _by_rank(rows: list[SubjectView]) -> tuple[SubjectView, ...]:
    return tuple(sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.key)))


def compute_plan(plan: AssessmentPlan) -> PlanView:
    """Compute every composite, rank and proposed grade now, with reasons and breakdowns."""
    linked = _linked_values(plan)
    result = _assess(plan, linked)
    subjects = {s.key: s for s in plan.subjects}
    categories = []
    for category, summary in zip(plan.categories, result.categories, strict=True):
        members = [r for r in result.subjects if r.category == category.name]
        lowest_priority = min((r.composite.value for r in members if r.outcome is core.Outcome.EXCELLENT
                               and r.is_priority and r.composite.value is not None), default=None)
        rows = [_subject_view(plan, subjects[r.key], r, summary, lowest_priority, linked) for r in members]
        total = sum(c.weight for c in category.components)
        categories.append(CategoryView(
            category_id=category.id, name=category.name,
            components=tuple((c.name, c.weight, c.weight / total if total else 0.0) for c in category.components),
            n=summary.n, n_raised=summary.n_raised, quota=summary.quota, quota_formula=_quota_formula(plan, summary),
            excellent=summary.excellent, pending=summary.pending,
            final_excellent=sum(1 for r in rows if r.final_grade == plan.excellent_label),
            subjects=_by_rank(rows),
        ))
    return PlanView(plan.id, tuple(categories), tuple(_confirmation_problems(plan, categories)))


def _confirmation_problems(plan: AssessmentPlan, categories: list[CategoryView]) -> list[str]:
    if plan.is_confirmed:
        return []
    problems = [] if any(c.subjects for c in categories) else ["至少需要一个考核对象"]
    for category in categories:
        for row in category.subjects:
            if row.final_grade is None:
                label = _("缺项") if row.outcome is core.Outcome.INCOMPLETE else _("并列待定")
                problems.append(_("“%(name)s”%(state)s，尚未确定等次", name=row.name, state=label))
        if category.final_excellent > category.quota:
            problems.append(_("类别“%(name)s”评为优秀 %(count)d 个，超过名额 %(quota)d 个",
                              name=category.name, count=category.final_excellent, quota=category.quota))
    return problems


def scoped(view: PlanView, plan: AssessmentPlan, unit_ids: set[int] | None) -> PlanView:
    """Keep only the subjects of a unit-scoped user's units (quotas stay the category's)."""
    if unit_ids is None:
        return view
    visible = {s.id for s in plan.subjects if s.unit_id in unit_ids}
    return replace(view, categories=tuple(
        replace(c, subjects=tuple(s for s in c.subjects if s.subject_id in visible)) for c in view.categories
    ))


# ---- demo -------------------------------------------------------------------------------------

DEMO_TITLE = "2026年度市直单位绩效考评"
#: (key, unit, plan category, 指标考评 self/verified, 领导评价) for the demo's six units.
DEMO_UNITS = (
    ("FGW", "市发展改革委", "市直经济部门", 96.0, 93.5, 94.0),
    ("ZRZY", "市自然资源局", "市直经济部门", 95.0, 91.0, 92.0),
    ("ZJ", "市住房城乡建设局", "市直经济部门", 94.5, 92.0, 90.5),
    ("SCJG", "市市场监管局", "市直执法监管和服务部门", 93.0, 88.5, 89.0),
    ("STHJ", "市生态环境局", "市直执法监管和服务部门", 92.0, 87.0, 88.0),
    ("XZSP", "市行政审批局", "市直执法监管和服务部门", 97.0, 94.0, 93.0),
)
#: Per plan category: (指标考评, 公众评议, 领导评价) weights; service departments weigh the public more.
DEMO_WEIGHTS = {"市直经济部门": (60.0, 20.0, 20.0), "市直执法监管和服务部门": (50.0, 30.0, 20.0)}


def seed_demo_plan(actor: User | None) -> AssessmentPlan | None:
    """Create the demo's 2026 绩效考评 over the six units of the 2026 服务质量评议, proposed.

    公众评议 reads the survey's unit indices, so call it after the demo's ballots exist (a
    unit without enough answers shows 缺项). Does nothing and returns None when the plan
    already exists or the survey is missing.
    """
    survey = db.session.scalar(
        select(Survey).where(Survey.kind == SurveyKind.SERVICE_QUALITY, Survey.year == 2026).order_by(Survey.id)
    )
    exists = db.session.scalar(select(AssessmentPlan.id).where(AssessmentPlan.title == DEMO_TITLE))
    if survey is None or exists is not None:
        return None
    plan = create_plan({"title": DEMO_TITLE, "year": 2026, "subject_kind": PlanSubjectKind.UNIT,
                        "quota_percent": 30, "raised_quota_percent": 40, "bonus_cap": 3.0,
                        "deduction_cap": 5.0}, actor)
    components = {}
    for name, (indicator, public, leaders) in DEMO_WEIGHTS.items():
        category = add_category(plan, name, actor)
        components[name] = (
            add_component(category, {"name": "指标考评", "weight": indicator, "source": ComponentSource.MANUAL}, actor),
            add_component(category, {"name": "公众评议", "weight": public, "source": ComponentSource.SURVEY,
                                     "survey_id": survey.id}, actor),
            add_component(category, {"name": "领导评价", "weight": leaders, "source": ComponentSource.MANUAL}, actor),
        )
    categories = {c.name: c for c in plan.categories}
    subjects = {}
    for key, unit, category, self_score, verified, leaders in DEMO_UNITS:
        subject = add_subject(plan, {"key": key, "name": unit, "unit_name": unit,
                                     "category_id": categories[category].id}, actor)
        indicator, _public, leader = components[category]
        set_score(subject, indicator, self_score, verified, actor)
        set_score(subject, leader, None, leaders, actor)
        subjects[key] = subject
    update_flags(subjects["ZRZY"], {"is_priority": True,
                                    "priority_reason": "重点项目：全市重大项目用地要素保障攻坚中表现突出"}, actor)
    update_flags(subjects["ZJ"], {"meets_raised_condition": True, "raised_reason": "2026年被评为省级文明单位"}, actor)
    update_flags(subjects["XZSP"], {"meets_raised_condition": True,
                                    "raised_reason": "被评为省级以上系统先进集体（全省政务服务系统先进集体）"}, actor)
    add_adjustment(subjects["FGW"], {"kind": AdjustmentKind.BONUS, "points": 2.0,
                                     "reason": "争取中央预算内投资额居全省前列"}, actor)
    add_adjustment(subjects["XZSP"], {"kind": AdjustmentKind.BONUS, "points": 1.5,
                                      "reason": "“一件事一次办”改革经验获全省推广"}, actor)
    add_adjustment(subjects["SCJG"], {"kind": AdjustmentKind.DEDUCTION, "points": 1.0,
                                      "reason": "效能督查发现窗口办件超时办结 3 件",
                                      "document": "市效能办督查通报〔2026〕7号"}, actor)
    add_adjustment(subjects["STHJ"], {"kind": AdjustmentKind.DEDUCTION, "points": 2.0,
                                      "reason": "环保督察反馈问题整改进度滞后",
                                      "document": "市委督查室督查通报〔2026〕12号"}, actor)
    change_status(plan, "propose", actor)
    return plan
