"""A plan's inputs per subject while it is open: manual component scores (one at a time,
pasted lines, or many at once for the workbook import), 正向激励 bonus and 效能督查
deduction items, and the priority, raised-quota and veto flags.

Every change is audit-logged with the composite and the proposal before and after
(recomputed through `grading`), one entry per subject or one per batch.
"""

import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask_babel import gettext as _

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.assessment import (
    Adjustment,
    AdjustmentKind,
    AssessmentPlan,
    ComponentScore,
    ComponentSource,
    PlanComponent,
    PlanSubject,
)
from survey_app.services.assessment.editing import TARGET, clean_text, require_unconfirmed
from survey_app.services.assessment.grading import assess_plan, read_linked_values
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

FLAG_FIELDS = (
    "is_priority", "priority_reason", "meets_raised_condition", "raised_reason", "is_vetoed", "veto_reason",
)


@contextmanager
def _recomputed(subject: PlanSubject, actor: User, action: str, **detail) -> Iterator[dict]:
    """Log a change to a subject's inputs with its composite and proposal before and after."""
    plan = subject.plan
    linked = read_linked_values(plan)
    before = assess_plan(plan, linked).subject(subject.key)
    extra: dict[str, Any] = {}
    yield extra
    db.session.flush()
    after = assess_plan(plan, linked).subject(subject.key)
    audit.record(actor, action, TARGET, plan.id, subject=subject.key, **detail, **extra,
                 composite=[before.composite.value, after.composite.value],
                 proposal=[before.grade, after.grade])


def update_flags(subject: PlanSubject, data: Mapping[str, Any], actor: User) -> None:
    """Set priority (优先), raised-quota condition and veto, each with its written reason."""
    require_unconfirmed(subject.plan)
    clean = {key: data.get(key) for key in FLAG_FIELDS}
    problems = []
    for flag, reason, message in (
        ("is_priority", "priority_reason", "请说明突出表现（疫情防控、重点项目、乡村振兴、急难险重等）"),
        ("meets_raised_condition", "raised_reason", "请说明符合的条件（省级以上综合表彰、文明单位、绩效考评优秀等）"),
        ("is_vetoed", "veto_reason", "请说明否决的理由"),
    ):
        clean[flag] = bool(clean[flag])
        clean[reason] = clean_text(clean[reason])[:200] if clean[flag] else ""
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
    require_unconfirmed(subject.plan)
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
    require_unconfirmed(plan)
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
    linked = read_linked_values(plan)
    before = assess_plan(plan, linked)
    extra: dict[str, Any] = {"subjects": []}
    yield extra
    db.session.flush()
    after = assess_plan(plan, linked)
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
    require_unconfirmed(plan)
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
    points = data.get("points")
    reason, document = clean_text(data.get("reason")), clean_text(data.get("document"))
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
    require_unconfirmed(subject.plan)
    item = _adjustment_item(data, actor)
    with _recomputed(subject, actor, f"assessment.{item.kind.value}_add", points=item.points,
                     reason=item.reason, document=item.document):
        subject.adjustments.append(item)
    return item


def add_adjustments(plan: AssessmentPlan, entries, actor: User, action: str, **detail) -> list[Adjustment]:
    """Add many bonus and deduction items at once, all or nothing: `entries` are (subject, data
    as for `add_adjustment`). One audit entry (`action`, with `detail`) lists the items and the
    composites before and after."""
    require_unconfirmed(plan)
    items = [(subject, _adjustment_item(data, actor)) for subject, data in entries]
    with recomputed_plan(plan, actor, action, **detail) as extra:
        for subject, item in items:
            subject.adjustments.append(item)
        extra["subjects"] = [subject.key for subject, _item in items]
        extra["items"] = [{"subject": subject.key, "kind": item.kind.value, "points": item.points,
                           "reason": item.reason, "document": item.document} for subject, item in items]
    return [item for _subject, item in items]


def remove_adjustment(item: Adjustment, actor: User, *, confirmed: bool = True) -> None:
    """Remove a bonus or deduction item entered by hand (one synced from the registers is
    changed there and synced again)."""
    require_confirmation(confirmed)
    subject = item.subject
    require_unconfirmed(subject.plan)
    if item.register_entry_id is not None:
        raise ValidationFailed(_("该加减分来自正向激励与效能督查登记，请在登记中修改后重新同步"))
    with _recomputed(subject, actor, f"assessment.{item.kind.value}_remove", points=item.points,
                     reason=item.reason):
        subject.adjustments.remove(item)
