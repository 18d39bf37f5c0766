"""Key projects (重点项目) and their milestones (关键节点): creating and editing them, and
recording when a milestone was reached. Every change is checked first (each problem as a
Chinese message, nothing stored on any) and written to the audit log.

Dates are local dates; `today` is the city's date (`progress.local_today`), passed in.
"""

import math
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import Unit, User
from survey_app.models.inspection import KeyProject, Milestone, ProjectCadre, ProjectLevel, ProjectStatus
from survey_app.services.platform import audit
from survey_app.services.platform.plain_values import enum_member, has_control_characters
from survey_app.services.results import cadre_records

#: Audit target type of every change to a project and its milestones.
PROJECT_TARGET = "key_project"
NAME_MAX, DESCRIPTION_MAX, CADRES_MAX, WEIGHT_MAX = 200, 5000, 50, 1000.0
EARLIEST = date(2000, 1, 1)


# ---- cadres, by subject key -------------------------------------------------------------------


def _keys(value: Any) -> list[str]:
    """Subject keys from a pasted text (commas, 、, spaces or lines) or a list."""
    if isinstance(value, str):
        for separator in ",，、;；\n\r\t":
            value = value.replace(separator, " ")
        value = value.split(" ")
    return list(dict.fromkeys(str(key).strip() for key in value or () if str(key).strip()))


# ---- checks -----------------------------------------------------------------------------------


def _check_text(problems: list[str], name: str, description: str = "") -> None:
    if not name:
        problems.append(_("请填写名称"))
    elif len(name) > NAME_MAX:
        problems.append(_("名称不能超过 %(n)d 个字", n=NAME_MAX))
    if len(description) > DESCRIPTION_MAX:
        problems.append(_("项目简介不能超过 %(n)d 个字", n=DESCRIPTION_MAX))
    if has_control_characters(name) or has_control_characters(description):
        problems.append(_("文字中含有不可见的控制字符"))


def _check_units(problems: list[str], unit_ids: list[int], scope: Collection[int] | None) -> list[Unit]:
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []
    if not unit_ids:
        problems.append(_("请至少选择一个服务部门"))
    elif len(units) != len(set(unit_ids)):
        problems.append(_("所选服务部门不存在"))
    elif scope is not None and not set(unit_ids) <= set(scope):
        problems.append(_("只能选择本单位作为服务部门"))
    return units


def _check_cadres(problems: list[str], keys: list[str]) -> None:
    if len(keys) > CADRES_MAX:
        problems.append(_("挂钩干部最多 %(n)d 人", n=CADRES_MAX))
        return
    unknown = [key for key in keys if key not in cadre_records.latest_names(keys)]
    if unknown:
        problems.append(_("没有找到这些干部编号：%(keys)s", keys="、".join(unknown)))


def _unit_ids(value: Any) -> list[int]:
    try:
        return list(dict.fromkeys(int(v) for v in value or ()))
    except (TypeError, ValueError):
        return [-1]  # refused below as a unit that does not exist


def clean_project(data: Mapping[str, Any], scope: Collection[int] | None,
                  project: KeyProject | None = None) -> dict[str, Any]:
    """Check a project's fields; return them clean or raise ValidationFailed listing every
    problem. `scope` is the acting user's units (None: city-wide)."""
    problems: list[str] = []
    name = str(data.get("name") or "").strip()
    description = str(data.get("description") or "").strip()
    _check_text(problems, name, description)
    if name and _name_taken(name, project):
        problems.append(_("已有同名的重点项目“%(name)s”", name=name))
    level = enum_member(ProjectLevel, data.get("level"))
    if level is None:
        problems.append(_("请选择项目级别（国家、省、市）"))
    status = enum_member(ProjectStatus, data.get("status") or ProjectStatus.ACTIVE)
    if status is None:
        problems.append(_("请选择项目状态"))
    starts_on = data.get("starts_on")
    if not isinstance(starts_on, date):
        problems.append(_("请填写项目开始日期"))
    elif starts_on < EARLIEST:
        problems.append(_("项目开始日期不能早于 2000 年"))
    elif project is not None and any(m.planned_on < starts_on for m in project.milestones):
        problems.append(_("项目开始日期不能晚于已有节点的计划日期"))
    units = _check_units(problems, _unit_ids(data.get("unit_ids")), scope)
    keys = _keys(data.get("cadre_keys"))
    _check_cadres(problems, keys)
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {"name": name, "description": description, "level": level, "status": status, "starts_on": starts_on,
            "units": units, "cadre_keys": keys}


def _name_taken(name: str, project: KeyProject | None) -> bool:
    found = db.session.scalar(select(KeyProject.id).where(KeyProject.name == name))
    return found is not None and (project is None or found != project.id)


def _check_dates(problems: list[str], project: KeyProject, planned: Any, actual: Any, today: date) -> None:
    if planned is None:
        problems.append(_("请填写计划完成日期"))
    elif not isinstance(planned, date):
        problems.append(_("计划完成日期不是有效日期"))
    elif planned < project.starts_on:
        problems.append(_("计划完成日期不能早于项目开始日期（%(day)s）", day=project.starts_on.isoformat()))
    if actual is None:
        return
    if not isinstance(actual, date):
        problems.append(_("实际完成日期不是有效日期"))
    elif actual > today:
        problems.append(_("实际完成日期不能晚于今天（%(day)s）", day=today.isoformat()))
    elif actual < project.starts_on:
        problems.append(_("实际完成日期不能早于项目开始日期（%(day)s）", day=project.starts_on.isoformat()))


def _check_weight(problems: list[str], value: Any) -> float:
    weight = 1.0 if value is None or value == "" else value
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        weight = math.nan
    if not math.isfinite(weight) or weight <= 0:
        problems.append(_("权重必须是大于 0 的数"))
    elif weight > WEIGHT_MAX:
        problems.append(_("权重不能超过 %(n)d", n=int(WEIGHT_MAX)))
    return weight


def clean_milestone(project: KeyProject, data: Mapping[str, Any], today: date,
                    milestone: Milestone | None = None) -> dict[str, Any]:
    """Check a milestone's fields against its project; return them clean or raise
    ValidationFailed listing every problem."""
    problems: list[str] = []
    name = str(data.get("name") or "").strip()
    _check_text(problems, name)
    if name and any(m.name == name and m is not milestone for m in project.milestones):
        problems.append(_("本项目已有名为“%(name)s”的节点", name=name))
    planned, actual = data.get("planned_on"), data.get("actual_on") or None
    _check_dates(problems, project, planned, actual, today)
    weight = _check_weight(problems, data.get("weight"))
    position = data.get("position")
    if position is not None and position != "" and (not isinstance(position, int) or not 0 <= position <= 999):
        problems.append(_("顺序应是 0–999 的整数"))
    if problems:
        raise ValidationFailed(problems[0], problems)
    if position is None or position == "":
        position = milestone.position if milestone else max((m.position for m in project.milestones), default=0) + 1
    return {"name": name, "planned_on": planned, "actual_on": actual, "weight": weight, "position": position}


# ---- changes ----------------------------------------------------------------------------------


def _snapshot(project: KeyProject) -> dict[str, Any]:
    return {"name": project.name, "level": project.level.value, "project_status": project.status.value,
            "starts_on": project.starts_on.isoformat(), "description": project.description,
            "service_units": [unit.name for unit in project.units],
            "cadres": [cadre.subject_key for cadre in project.cadres]}


def _milestone_snapshot(milestone: Milestone) -> dict[str, Any]:
    return {"milestone": milestone.name, "planned_on": milestone.planned_on.isoformat(),
            "actual_on": milestone.actual_on.isoformat() if milestone.actual_on else None,
            "weight": milestone.weight, "position": milestone.position}


def _apply(project: KeyProject, clean: Mapping[str, Any]) -> None:
    for field in ("name", "description", "level", "status", "starts_on"):
        setattr(project, field, clean[field])
    project.units = clean["units"]
    # Kept rows stay the same objects: a key deleted and added again in one flush collides.
    kept = {cadre.subject_key: cadre for cadre in project.cadres}
    project.cadres = [kept.get(key) or ProjectCadre(subject_key=key) for key in clean["cadre_keys"]]


def create_project(data: Mapping[str, Any], actor: User, scope: Collection[int] | None) -> KeyProject:
    """Create a key project with its units and linked cadres."""
    clean = clean_project(data, scope)
    project = KeyProject()
    _apply(project, clean)
    db.session.add(project)
    db.session.flush()
    audit.record(actor, "project.create", PROJECT_TARGET, project.id, **_snapshot(project))
    return project


def update_project(project: KeyProject, data: Mapping[str, Any], actor: User,
                   scope: Collection[int] | None) -> bool:
    """Change a project's fields, units and linked cadres; return whether anything changed."""
    clean = clean_project(data, scope, project)
    before = _snapshot(project)
    _apply(project, clean)
    db.session.flush()
    after = _snapshot(project)
    changes = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if changes:
        audit.record(actor, "project.update", PROJECT_TARGET, project.id, name=project.name, changes=changes)
    return bool(changes)


def get_milestone(project: KeyProject, milestone_id: int) -> Milestone:
    """Return one of the project's milestones; NotFound for another project's."""
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise NotFound(_("没有找到该节点"))
    return milestone


def add_milestone(project: KeyProject, data: Mapping[str, Any], actor: User, today: date) -> Milestone:
    """Add a milestone to the project."""
    clean = clean_milestone(project, data, today)
    milestone = Milestone(**clean)
    project.milestones.append(milestone)
    db.session.flush()
    audit.record(actor, "milestone.add", PROJECT_TARGET, project.id, name=project.name,
                 **_milestone_snapshot(milestone))
    return milestone


def update_milestone(milestone: Milestone, data: Mapping[str, Any], actor: User, today: date) -> bool:
    """Change a milestone's name, dates, weight or order; return whether anything changed."""
    project = milestone.project
    clean = clean_milestone(project, data, today, milestone)
    before = _milestone_snapshot(milestone)
    for field, value in clean.items():
        setattr(milestone, field, value)
    db.session.flush()
    after = _milestone_snapshot(milestone)
    changes = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if changes:
        audit.record(actor, "milestone.update", PROJECT_TARGET, project.id, name=project.name,
                     milestone=milestone.name, changes=changes)
    return bool(changes)


def record_actual(milestone: Milestone, actual_on: Any, actor: User, today: date) -> None:
    """Record the day a milestone was reached (节点对账)."""
    project = milestone.project
    problems: list[str] = []
    if actual_on is None:
        problems.append(_("请填写实际完成日期"))
    else:
        _check_dates(problems, project, milestone.planned_on, actual_on, today)
    if problems:
        raise ValidationFailed(problems[0], problems)
    before = milestone.actual_on
    milestone.actual_on = actual_on
    db.session.flush()
    audit.record(actor, "milestone.complete", PROJECT_TARGET, project.id, name=project.name,
                 milestone=milestone.name, actual_on=actual_on.isoformat(),
                 previous=before.isoformat() if before else None)
