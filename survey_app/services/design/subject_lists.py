"""Subjects typed or pasted as lines (名称, 职务, 编号, 类别, 所在单位, 单位类别) and the bulk
edit of chosen subjects' kind and unit: each is all or nothing, through structure.py.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Subject, SubjectKind, Survey, Unit, User
from survey_app.services.design.structure import add_subject, chosen_subjects, update_subject
from survey_app.services.design.surveys import check_unit_fields, require_draft

#: The 类别 column of a pasted line: the labels organizers type, and the stored values.
KIND_WORDS = {"干部": SubjectKind.CADRE, "单位": SubjectKind.UNIT, "部门": SubjectKind.UNIT, "领导班子": SubjectKind.TEAM,
              "班子": SubjectKind.TEAM, **{kind.value: kind for kind in SubjectKind}}
#: Columns of a pasted line, in order; only the name is required, trailing ones may be left out.
PASTE_COLUMNS = ("name", "position_title", "key", "kind", "unit_name", "unit_category")
_PASTE_LIMITS = {"name": 100, "position_title": 100, "key": 64, "kind": 20, "unit_name": 100, "unit_category": 50}


def _split_line(line: str) -> list[str]:
    return [p.strip() for p in line.replace("\t", ",").replace("，", ",").replace("、", ",").split(",")]


def parse_subject_lines(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse pasted lines "名称, 职务, 编号, 类别, 所在单位, 单位类别" (comma, tab or 、;
    trailing columns optional, a blank cell takes the form's default); return rows and errors."""
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        parts = _split_line(line)
        if not any(parts):
            continue
        if len(parts) > len(PASTE_COLUMNS) or not parts[0]:
            errors.append(_("第 %(n)d 行：应为“名称, 职务, 编号, 类别, 所在单位, 单位类别”（后几列可省略）", n=number))
            continue
        row = dict(zip(PASTE_COLUMNS, parts + [""] * (len(PASTE_COLUMNS) - len(parts)), strict=True))
        if any(len(row[column]) > limit for column, limit in _PASTE_LIMITS.items()):
            errors.append(_("第 %(n)d 行：内容过长", n=number))
            continue
        if row["kind"] and row["kind"] not in KIND_WORDS:
            errors.append(_("第 %(n)d 行：类别“%(kind)s”应为 干部、单位 或 领导班子", n=number, kind=row["kind"]))
            continue
        row["kind"] = KIND_WORDS.get(row["kind"])
        rows.append({**row, "line": number})
    return rows, errors


def _free_key(survey: Survey, taken: set[str]) -> str:
    number = len(survey.subjects) + 1
    while f"S{number:03d}" in taken:
        number += 1
    return f"S{number:03d}"


def _pasted_subject(row: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """One pasted row with the form's defaults filled in. A 单位 is its own unit unless
    its line names one: that is what ties it to its category's weights and rankings."""
    kind = row["kind"] or defaults["kind"]
    unit_name = row["unit_name"] or (row["name"] if kind is SubjectKind.UNIT else defaults["unit_name"])
    return {"name": row["name"], "position_title": row["position_title"], "key": row["key"], "kind": kind,
            "unit_name": unit_name.strip(), "unit_category": (row["unit_category"] or defaults["unit_category"]).strip()}


def add_subjects_in_bulk(survey: Survey, text: str, defaults: Mapping[str, Any], actor: User) -> int:
    """Add one subject per pasted line; all or nothing. Return the count.

    `defaults` gives the kind, unit name and unit category of lines that leave them blank.
    """
    require_draft(survey)
    rows, errors = parse_subject_lines(text)
    taken = {s.key for s in survey.subjects}
    subjects = []
    for row in rows:
        if row["key"] and (row["key"] in taken or not row["key"].replace("-", "").replace("_", "").isalnum()):
            errors.append(_("编号“%(key)s”重复或含有不允许的字符", key=row["key"]))
        taken.add(row["key"])
        subject = _pasted_subject(row, defaults)
        try:
            check_unit_fields(subject["unit_name"], subject["unit_category"])
        except ValidationFailed as error:
            errors.append(_("第 %(n)d 行：%(problem)s", n=row["line"], problem=error.message))
        subjects.append(subject)
    if not rows and not errors:
        errors.append("请至少填写一行")
    if errors:
        raise ValidationFailed(_("名单有误，未添加任何对象"), errors)
    for subject in subjects:
        key = subject["key"] or _free_key(survey, taken)
        taken.add(key)
        add_subject(survey, {**subject, "key": key}, actor)
    return len(subjects)


def _kind_and_unit(subject: Subject) -> tuple:
    unit = db.session.get(Unit, subject.unit_id) if subject.unit_id else None
    return subject.kind, subject.unit_id, unit.category if unit else ""


def edit_subjects_in_bulk(survey: Survey, subject_ids: Iterable[int], changes: Mapping[str, Any], actor: User) -> int:
    """Set the kind, unit and/or unit category of the chosen subjects; all or nothing.

    `changes` holds only what the user chose to change: "kind" (a SubjectKind),
    "unit_name", "unit_category". A category without a new unit applies to each subject's
    current unit, under the same rule as one subject's form (a unit keeps its category).
    Return how many subjects changed.
    """
    require_draft(survey)
    chosen = chosen_subjects(survey, subject_ids)
    if not chosen:
        raise ValidationFailed(_("请先勾选要修改的评议对象"))
    if not changes:
        raise ValidationFailed(_("请至少选择一项要修改的内容（类别、所在单位或单位类别）"))
    errors, changed = [], 0
    for subject in chosen:
        data = {"unit_name": changes.get("unit_name") or (subject.unit.name if subject.unit else ""),
                "unit_category": changes.get("unit_category", "")}
        if "kind" in changes:
            data["kind"] = changes["kind"]
        try:
            before = _kind_and_unit(subject)
            update_subject(subject, data, actor)
            changed += _kind_and_unit(subject) != before
        except ValidationFailed as error:
            errors.append(_("%(name)s（%(key)s）：%(problem)s", name=subject.name, key=subject.key, problem=error.message))
    if errors:
        raise ValidationFailed(_("批量修改有误，未修改任何对象"), errors)
    return changed
