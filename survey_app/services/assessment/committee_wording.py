"""The wording the committee exports share (the .xlsx in `committee_workbook`, the PDF in
`committee_pdf`): the plan's status and draft mark, grades shown for ties and missing
scores, flags and remarks per subject, each category's composite formula and quota line,
and the rules of the plan in words.

Exports are built from a `PlanView` (`grading.compute_plan`, scoped to the user's units by
the caller), so they show the figures of the plan page. No function reads the clock: the
caller passes the date.
"""

from flask_babel import gettext as _

from analytics.assessment import Outcome
from survey_app.models.assessment import AssessmentPlan, PlanStatus
from survey_app.services.assessment.plan_view import CategoryView, SubjectView, share_text
from survey_app.services.platform import phrasing


def plan_status_text(plan: AssessmentPlan) -> str:
    """The plan's status as the exports state it (once confirmed: when and by whom)."""
    if plan.status is PlanStatus.CONFIRMED:
        when = plan.confirmed_at.date().isoformat() if plan.confirmed_at else "—"
        who = plan.confirmed_by.display_name if plan.confirmed_by else "—"
        return _("已确认（%(when)s，确认人：%(who)s）", when=when, who=who)
    if plan.status is PlanStatus.PROPOSED:
        return _("已提出建议等次，草稿（未确认）")
    return _("草稿（未确认）")


def draft_mark() -> str:
    """The mark an unconfirmed plan's exports carry: not an official result."""
    return _("草稿（未确认）：考核结果尚未确认，仅供讨论，不作为正式结果")


def scope_note() -> str:
    """The note on an export limited to the user's units: quotas still count the whole category."""
    return _("本表仅含您权限范围内的考核对象；优秀名额按整个类别计算。")


def score_text(value: float | None) -> str:
    """Format a score: 2 decimals, — for none."""
    return "—" if value is None else f"{value:.2f}"


def percent_text(share: float) -> str:
    """Format a share as a percentage: 40%, or 33.3% when not whole."""
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def plain_number(value: float) -> str:
    """Format a weight, cap or minimum score without trailing zeros (5, 2.5)."""
    return f"{value:g}"


def proposed_grade_text(row: SubjectView) -> str:
    """The proposed grade, else 并列待定 (a tie at the quota's edge) or 缺项."""
    if row.proposed_grade:
        return row.proposed_grade
    return _("并列待定") if row.outcome is Outcome.TIE_PENDING else _("缺项")


def final_grade_text(row: SubjectView) -> str:
    """The grade that counts, else 待定 (an undecided tie) or 缺项."""
    if row.final_grade:
        return row.final_grade
    return _("待定") if row.outcome is Outcome.TIE_PENDING else _("缺项")


def shown_composite(plan: AssessmentPlan, row: SubjectView) -> float | None:
    """The composite as signed once confirmed, else as computed now."""
    return row.confirmed_composite if plan.is_confirmed else row.composite


def flags_text(row: SubjectView) -> str:
    """The subject's flags in words: priority, the raised-quota condition, a veto."""
    flags = []
    if row.is_priority:
        flags.append(_("优先：%(reason)s", reason=row.priority_reason))
    if row.meets_raised_condition:
        flags.append(_("提高比例：%(reason)s", reason=row.raised_reason))
    if row.is_vetoed:
        flags.append(_("否决：%(reason)s", reason=row.veto_reason))
    elif row.is_veto_applied:
        flags.append(
            _("否决：民主测评不称职比例 %(share)s", share=share_text(row.negative_share or 0))
        )
    return phrasing.clauses(flags)


def remarks_text(plan: AssessmentPlan, row: SubjectView) -> str:
    """Remarks on the subject's composite: a capped bonus or deduction, clipped at 0, changed
    since confirmation."""
    remarks = []
    if row.bonus_items > row.bonus:
        remarks.append(
            _("加分合计 %(sum)s，按上限计 %(cap)s", sum=score_text(row.bonus_items), cap=score_text(row.bonus))
        )
    if row.deduction_items > row.deduction:
        remarks.append(
            _(
                "扣分合计 %(sum)s，按上限计 %(cap)s",
                sum=score_text(row.deduction_items),
                cap=score_text(row.deduction),
            )
        )
    if row.is_clipped:
        remarks.append(_("扣分后低于 0，按 0 计"))
    if plan.is_confirmed and row.changed_since_confirmation:
        remarks.append(_("确认后关联评议结果有变化，现重新计算为 %(value)s", value=score_text(row.composite)))
    return phrasing.clauses(remarks)


def composite_formula(plan: AssessmentPlan, category: CategoryView) -> str:
    """The category's composite formula in words: each component's share, then the caps."""
    parts = (
        " + ".join(f"{label} × {percent_text(share)}" for label, _weight, share in category.components) or "—"
    )
    return _(
        "综合得分 = %(parts)s + 正向激励（上限 %(bonus)s）− 效能督查（上限 %(deduction)s）",
        parts=parts,
        bonus=plain_number(plan.bonus_cap),
        deduction=plain_number(plan.deduction_cap),
    )


def quota_line(plan: AssessmentPlan, category: CategoryView) -> str:
    """The category's subjects and 优秀 quota: formula, used, left (and pending ties before
    confirmation)."""
    line = _(
        "%(n)d 个对象；优秀名额 %(formula)s 个，已用 %(used)d 个，尚余 %(left)d 个",
        n=category.n,
        formula=category.quota_formula,
        used=category.final_excellent,
        left=max(category.quota - category.final_excellent, 0),
    )
    if category.n_raised:
        line += _("（其中 %(n)d 个对象符合提高比例条件）", n=category.n_raised)
    if category.pending and not plan.is_confirmed:
        line += _("；并列待定 %(n)d 个", n=category.pending)
    return line


def rule_lines(plan: AssessmentPlan) -> list[tuple[str, str]]:
    """The plan's rules in words, as (label, text) pairs."""
    bands = phrasing.listing(
        phrasing.noted(b["label"], _("%(score)s 分及以上", score=plain_number(b["min"])))
        if b["min"] > 0
        else b["label"]
        for b in plan.grade_bands
    )
    quota = _("优秀比例 %(x)s%%", x=plan.quota_percent)
    if plan.raised_quota_percent is not None:
        quota += _(
            "；符合提高条件（省级以上综合表彰、文明单位、绩效考评优秀等）的对象按 %(y)s%% 计",
            y=plan.raised_quota_percent,
        )
    veto = (
        _(
            "%(title)s：不称职比例超过 %(t)s 者不得评为%(top)s",
            title=plan.veto_survey.title,
            t=share_text(plan.veto_survey.negative_share_threshold),
            top=plan.excellent_label,
        )
        if plan.veto_survey
        else _("只按组织部门标注的否决情形")
    )
    return [
        (_("优秀比例"), quota),
        (
            _("优秀名额"),
            _(
                "每个类别分别计算：名额 = 向下取整（(x × 一般对象数 + y × 符合提高条件的对象数) ÷ 100）；"
                "缺项的对象也计入对象数"
            ),
        ),
        (
            _("等次"),
            _(
                "%(top)s（名额内，且不低于 %(min)s 分）、%(bands)s",
                top=plan.excellent_label,
                min=plain_number(plan.grade_bands[0]["min"]),
                bands=bands,
            ),
        ),
        (
            _("综合得分"),
            _(
                "各考评项目得分按权重加权平均，加正向激励（上限 %(b)s 分）、减效能督查（上限 %(d)s 分），"
                "四舍五入保留两位小数；只有核验分计入，自评分一并列出备查",
                b=plain_number(plan.bonus_cap),
                d=plain_number(plan.deduction_cap),
            ),
        ),
        (_("缺项"), _("任一考评项目没有得分的对象没有综合得分，不参加排名（不按 0 分计）")),
        (_("排名"), _("类别内按综合得分从高到低，得分相同者名次相同")),
        (
            _("评优顺序"),
            _(
                "在疫情防控、重点项目、乡村振兴、急难险重等工作中表现突出的对象优先，其余按综合得分；"
                "名额边界上得分相同、名额不够的对象为“并列待定”，由组织部门确定"
            ),
        ),
        (_("否决"), veto),
        (_("调整等次"), _("组织部门可以调整建议等次，须写明理由，并记入操作日志")),
    ]
