"""Setting up an assessment plan (年度考核 / 绩效考评) while it is a draft: the plan and its
grading rules, its unit categories and their weighted components, its subjects (entered
one by one or taken from a survey), and what removing any of them deletes.

Every change is audit-logged; once grades are proposed the method and the subjects are
fixed (`editing`). The rules are in docs/assessment.md.
"""

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import SubjectKind, Survey, SurveyStatus, Unit, User
from survey_app.models.assessment import (
    DEFAULT_GRADE_BANDS,
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentSource,
    PlanCategory,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
    grade_band_problems,
)
from survey_app.models.target import IndicatorSystem
from survey_app.services.assessment.editing import TARGET, clean_text, require_draft
from survey_app.services.assessment.plan_view import trimmed_number
from survey_app.services.design import surveys
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

UNCATEGORIZED = "未分类"
PLAN_FIELDS = (
    "title", "year", "quota_percent", "raised_quota_percent", "excellent_label", "grade_bands",
    "bonus_cap", "deduction_cap", "veto_survey_id",
)


def _next_position(items) -> int:
    return max((item.position for item in items), default=-1) + 1


def _check_plan_data(data: Mapping[str, Any]) -> None:
    problems = []
    if not clean_text(data.get("title")):
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
    if not clean_text(data.get("excellent_label")):
        problems.append("请填写优秀等次名称")
    problems += grade_band_problems(data.get("grade_bands") or [], clean_text(data.get("excellent_label")))
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
    clean["title"] = clean_text(clean.get("title"))
    clean["excellent_label"] = clean_text(clean.get("excellent_label") or "优秀")
    clean["grade_bands"] = [
        {"label": str(b.get("label", "")).strip(), "min": _float_or_raw(b.get("min"))}
        for b in clean.get("grade_bands") or []
    ]
    clean["veto_survey_id"] = clean.get("veto_survey_id") or None
    return clean


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
    require_draft(plan)
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
    require_draft(plan)
    audit.record(actor, "assessment.delete", TARGET, plan.id, title=plan.title)
    db.session.delete(plan)


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
                  name=item.name, weight=trimmed_number(item.weight), n=scores),
                _("类别“%(category)s”中各对象的综合得分和建议等次将重新计算。", category=item.category.name)]
    if isinstance(item, PlanSubject):
        lines = [_("考核对象“%(name)s”将从方案中删除，不能恢复，连同已录入的 %(scores)d 个分数和 %(adjustments)d 条加减分。",
                   name=item.name, scores=len(item.scores), adjustments=len(item.adjustments))]
        if item.decision is not None and item.decision.overridden_grade:
            lines.append(_("对它的调整等次“%(grade)s”及理由也将删除。", grade=item.decision.overridden_grade))
        return lines
    label = _("加分") if item.kind is AdjustmentKind.BONUS else _("减分")
    return [_("%(kind)s %(points)s 分（%(reason)s）将被删除；“%(name)s”的综合得分和建议等次将重新计算。",
              kind=label, points=trimmed_number(item.points), reason=item.reason, name=item.subject.name)]


def _category_of(plan: AssessmentPlan, category_id: int) -> PlanCategory:
    category = next((c for c in plan.categories if c.id == category_id), None)
    if category is None:
        raise NotFound(_("类别不存在"))
    return category


def add_category(plan: AssessmentPlan, name: str, actor: User) -> PlanCategory:
    """Add a unit category (县市区, 市直经济部门 …) to a draft plan."""
    require_draft(plan)
    name = clean_text(name)
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
    require_draft(plan)
    if any(s.category_id == category.id for s in plan.subjects):
        raise ValidationFailed(_("类别“%(name)s”中还有考核对象，不能删除", name=category.name))
    audit.record(actor, "assessment.category_remove", TARGET, plan.id, category=category.name)
    plan.categories.remove(category)


def _component_fields(category: PlanCategory, data: Mapping[str, Any], component=None) -> dict[str, Any]:
    name = clean_text(data.get("name"))
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
    system_id = data.get("indicator_system_id") or None
    if source is ComponentSource.SURVEY:
        survey = db.session.get(Survey, survey_id) if survey_id else None
        if survey is None:
            problems.append("来源为评议活动时，请选择评议活动")
        elif survey.status is SurveyStatus.DRAFT:
            problems.append("只能关联已发布或已结束的评议活动")
    else:
        survey_id = None
    if source is ComponentSource.TARGETS:
        problems.extend(_system_problems(category.plan, system_id))
    else:
        system_id = None
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {"name": name, "weight": float(weight), "source": source, "survey_id": survey_id,
            "indicator_system_id": system_id}


def _system_problems(plan: AssessmentPlan, system_id: int | None) -> list[str]:
    """A TARGETS component needs a unit plan and a published system of the plan's year."""
    system = db.session.get(IndicatorSystem, system_id) if system_id else None
    if plan.subject_kind is not PlanSubjectKind.UNIT:
        return [_("指标考评得分只能用于考核对象为单位的方案")]
    if system is None:
        return [_("来源为指标考评时，请选择考核细则")]
    if not system.is_locked:
        return [_("只能关联已发布的考核细则")]
    if system.year != plan.year:
        return [_("考核细则“%(title)s”是 %(year)d 年度的，与考核方案的 %(plan_year)d 年度不符",
                  title=system.title, year=system.year, plan_year=plan.year)]
    return []


def add_component(category: PlanCategory, data: Mapping[str, Any], actor: User) -> PlanComponent:
    """Add a weighted component: manual scores, or a linked survey's satisfaction index."""
    require_draft(category.plan)
    component = PlanComponent(**_component_fields(category, data), position=_next_position(category.components))
    category.components.append(component)
    db.session.flush()
    audit.record(actor, "assessment.component_add", TARGET, category.plan_id, category=category.name,
                 component=component.name, weight=component.weight, source=component.source.value,
                 survey_id=component.survey_id, indicator_system_id=component.indicator_system_id)
    return component


def update_component(component: PlanComponent, data: Mapping[str, Any], actor: User) -> None:
    """Change a component's name, weight or source in a draft plan."""
    category = component.category
    require_draft(category.plan)
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
    require_draft(category.plan)
    audit.record(actor, "assessment.component_remove", TARGET, category.plan_id, category=category.name,
                 component=component.name)
    category.components.remove(component)


def add_subject(plan: AssessmentPlan, data: Mapping[str, Any], actor: User) -> PlanSubject:
    """Add a unit or cadre with its stable key to one of the plan's categories."""
    require_draft(plan)
    key, name = clean_text(data.get("key")), clean_text(data.get("name"))
    unit_name = clean_text(data.get("unit_name"))
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
    require_draft(plan)
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
    require_draft(plan)
    audit.record(actor, "assessment.subject_remove", TARGET, plan.id, subject=subject.key, name=subject.name)
    plan.subjects.remove(subject)
