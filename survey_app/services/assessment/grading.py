"""Grading under quotas: the adapter from a plan to `analytics.assessment`.

Plans are read into frozen inputs, linked surveys' indices and the 民主测评 veto shares come
from `services.results.reports`, and the result (composites, ranks, the 优秀 quota per
category, proposed grades) is turned into a `PlanView` with a worded reason per subject.
Nothing computed is stored while a plan is open: every read recomputes.

Also the organizer's decisions on the grades: proposing them (which fixes the method),
withdrawing the proposal, overriding a subject's grade with a written reason or restoring
the proposal, and confirming, which writes the signed grades into GradeDecision and locks
the plan; with the consequences the confirmation pages show. The rules are in
docs/assessment.md.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _

from analytics import assessment as core
from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Survey, User
from survey_app.models.assessment import (
    AdjustmentKind,
    AssessmentPlan,
    ComponentSource,
    GradeDecision,
    PlanComponent,
    PlanStatus,
    PlanSubject,
    PlanSubjectKind,
)
from survey_app.models.base import utcnow
from survey_app.services.assessment import target_link
from survey_app.services.assessment.editing import TARGET, clean_text, require_unconfirmed
from survey_app.services.assessment.plan_view import (
    AdjustmentView,
    CategoryView,
    PartView,
    PlanView,
    SubjectView,
    score_text,
    share_text,
    trimmed_number,
)
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.results import report_models, reports


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


def override_grade(subject: PlanSubject, grade: str, reason: str, actor: User, now: datetime | None = None) -> None:
    """Set the organizer's grade in place of the proposal, with a required written reason."""
    plan = subject.plan
    require_unconfirmed(plan)
    if plan.status is not PlanStatus.PROPOSED:
        raise ValidationFailed(_("请先提出建议等次，再调整等次"))
    reason = clean_text(reason)
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
    require_unconfirmed(plan)
    decision = subject.decision
    if decision is None or decision.overridden_grade is None:
        return
    audit.record(actor, "assessment.override_clear", TARGET, plan.id, subject=subject.key,
                 grade=decision.overridden_grade)
    decision.overridden_grade = None
    decision.override_reason = ""
    decision.overridden_by_id = None
    decision.overridden_at = None


@dataclass(frozen=True, slots=True)
class _Linked:
    """Values read from linked surveys: per component, lookup → index; the veto shares."""

    indices: dict[int, dict[str, float | None]]
    negative_shares: dict[str, float | None]
    negative_threshold: float | None


def read_linked_values(plan: AssessmentPlan) -> _Linked:
    """Read each linked survey's results once (units by name, cadres by key)."""
    cache: dict[int, report_models.SurveyReport] = {}

    def report(survey: Survey) -> report_models.SurveyReport:
        if survey.id not in cache:
            cache[survey.id] = reports.survey_report(survey)
        return cache[survey.id]

    indices = {}
    targets: dict = {}
    for category in plan.categories:
        for component in category.components:
            if component.source is ComponentSource.TARGETS:
                indices[component.id] = target_link.component_values(component, targets)
            elif component.source is ComponentSource.SURVEY and component.survey is not None:
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
    if component.source is not ComponentSource.MANUAL:
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


def assess_plan(plan: AssessmentPlan, linked: _Linked) -> core.AssessmentResult:
    """Run the assessment core on the plan as it is now, with the linked surveys' values
    (read_linked_values): composites, ranks and proposed grades."""
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
        return _("%(min)s 分及以上", min=trimmed_number(bands[index]["min"]))
    return _("低于 %(min)s 分", min=trimmed_number(bands[index - 1]["min"]))


def _reason(plan: AssessmentPlan, subject: PlanSubject, result: core.SubjectResult, quota: int,
            displaced: bool = False) -> str:
    """Word the proposal's reason in the user's language (`displaced`: a priority candidate
    with a lower composite took the place)."""
    c = result.composite
    if result.outcome is core.Outcome.INCOMPLETE:
        if not c.missing:
            return _("缺项：本类别还没有权重大于 0 的考评项目")
        return _("缺项：%(items)s尚无得分", items="、".join(c.missing))
    score, rank = score_text(c.value), result.rank
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
    if component.source is ComponentSource.TARGETS and component.indicator_system is not None:
        return _("指标考评：%(title)s", title=component.indicator_system.title)
    return _("手工录入（核验分）")


def _subject_view(plan: AssessmentPlan, subject: PlanSubject, result: core.SubjectResult,
                  summary: core.CategoryResult, lowest_priority: float | None, linked: _Linked) -> SubjectView:
    c = result.composite
    components = subject.category.components
    parts = tuple(
        PartView(
            component_id=component.id, label=part.label, weight=part.weight, share=part.share,
            score=part.score, self_score=_score_of(plan, subject, component, linked)[1], points=part.points,
            is_linked=component.source is not ComponentSource.MANUAL, source_label=_source_label(component),
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
    linked = read_linked_values(plan)
    result = assess_plan(plan, linked)
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
