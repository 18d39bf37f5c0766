"""The result tables in the form a committee signs (PDF): per category the table with
proposed grades and reasons, the quota used and notes on ties and overrides, then the
rules and the signature lines; numbered A4 pages, marked 草稿 until the plan is confirmed.
"""

from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from analytics.assessment import Outcome
from survey_app.models.assessment import AssessmentPlan, PlanSubjectKind
from survey_app.services.assessment import target_link
from survey_app.services.assessment.committee_wording import (
    composite_formula,
    draft_mark,
    final_grade_text,
    plan_status_text,
    proposed_grade_text,
    quota_line,
    remarks_text,
    rule_lines,
    scope_note,
    score_text,
    shown_composite,
)
from survey_app.services.assessment.plan_view import CategoryView, PlanView, SubjectView
from survey_app.services.platform import pdf_layout, phrasing

#: Characters the PDF's built-in CJK font cannot show, and what to write instead.
_PDF_REPLACEMENTS = {"⌊": "向下取整（", "⌋": "）", "−": "-", "·": "、"}
_DRAFT_STYLE = ParagraphStyle(
    "draft",
    parent=pdf_layout.STYLES["notice"],
    fontSize=12,
    leading=17,
    textColor=colors.HexColor("#c00000"),
    borderColor=colors.HexColor("#c00000"),
    borderWidth=0.8,
    borderPadding=4,
    spaceBefore=2,
    spaceAfter=8,
)
_NOTE_STYLE = ParagraphStyle("note", parent=pdf_layout.STYLES["body"], fontSize=8.5, leading=12, leftIndent=8)
_SIGN_STYLE = ParagraphStyle("sign", parent=pdf_layout.STYLES["body"], fontSize=11, leading=30)


def _pdf(text: str) -> str:
    for old, new in _PDF_REPLACEMENTS.items():
        text = text.replace(old, new)
    return text


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_pdf(text)), style)


def _lines(lines: Iterable[str], style: str = "cell") -> Paragraph:
    return Paragraph("<br/>".join(escape(_pdf(line)) for line in lines if line), pdf_layout.STYLES[style])


def _pdf_row(plan: AssessmentPlan, row: SubjectView) -> list:
    name = [row.name]
    if row.unit and row.unit != row.name:
        name.append(row.unit)
    marks = [
        _("优先") if row.is_priority else "",
        _("提高比例") if row.meets_raised_condition else "",
        _("否决") if row.is_veto_applied else "",
    ]
    if any(marks):
        name.append(phrasing.listing(m for m in marks if m))
    parts = [
        f"{part.label} {_('缺项') if part.score is None else score_text(part.score)}" for part in row.parts
    ]
    final = final_grade_text(row) + (_("（已调整）") if row.is_overridden else "")
    return [
        str(row.rank or "—"),
        _lines(name),
        _lines(parts),
        f"+{score_text(row.bonus)}" if row.bonus else "—",
        f"-{score_text(row.deduction)}" if row.deduction else "—",
        score_text(shown_composite(plan, row)),
        _lines([proposed_grade_text(row), row.reason]),
        final,
    ]


def _category_notes(plan: AssessmentPlan, category: CategoryView) -> list[str]:
    notes = []
    for row in category.subjects:
        if row.outcome is Outcome.TIE_PENDING:
            notes.append(_("%(name)s：%(reason)s", name=row.name, reason=row.reason))
        if row.is_overridden:
            notes.append(
                _(
                    "%(name)s：建议等次“%(proposal)s”，调整为“%(final)s”。调整理由：%(reason)s",
                    name=row.name,
                    proposal=proposed_grade_text(row),
                    final=row.final_grade,
                    reason=row.override_reason,
                )
            )
        remarks = remarks_text(plan, row)
        if remarks:
            notes.append(phrasing.labelled(row.name, remarks))
    return notes


def _pdf_header() -> list[str]:
    return [
        _("名次"),
        _("名称"),
        _("分项得分"),
        _("加分"),
        _("扣分"),
        _("综合得分"),
        _("建议等次与理由"),
        _("最终等次"),
    ]


PDF_WIDTHS = tuple(x * mm for x in (9, 26, 32, 12, 12, 16, 45, 22))
#: Room to write a date by hand, in full-width low lines at the signature size (11 pt): the
#: year 6 (23 mm), month and day 4 each (15.5 mm). The blanks were ideographic spaces, which
#: a paragraph collapses to one: "日期： 年 月 日" left no room at all.
DATE_BLANKS = (6, 4, 4)


def _date_line() -> Paragraph:
    year, month, day = ("＿" * width for width in DATE_BLANKS)
    return _para(_("日期：%(year)s年%(month)s月%(day)s日", year=year, month=month, day=day), _SIGN_STYLE)


def _signatures() -> KeepTogether:
    line = "＿" * 12
    return KeepTogether(
        [
            pdf_layout.paragraph(_("考核委员会审定"), "h2"),
            _para(_("考核委员会主任（签字）：%(line)s", line=line), _SIGN_STYLE),
            _date_line(),
            _para(_("考核委员会成员（签字）："), _SIGN_STYLE),
            *(_para(f"{line}　　{line}　　{line}", _SIGN_STYLE) for _i in range(3)),
            _date_line(),
        ]
    )


def _targets_story(category: CategoryView, breakdowns: list) -> list:
    """Per TARGETS component of the category: each subject's 一级指标 subtotals and total."""
    story: list = []
    by_component: dict[int, list] = {}
    for row, item in breakdowns:
        if row.category == category.name:
            by_component.setdefault(item.component.id, []).append((row, item))
    for items in by_component.values():
        first = items[0][1]
        story.append(Spacer(1, 2 * mm))
        story.append(_para(_("指标考评明细：%(name)s（%(title)s）", name=first.component.name, title=first.system.title),
                           pdf_layout.STYLES["body"]))
        header = [_("名称"), *[f"{name}（{score_text(points)}）" for name, points in first.top_level],
                  _("总分（%(points)s）", points=score_text(first.points)), _("计入得分（百分制）")]
        rows = []
        for row, item in items:
            if item.unit is None or len(item.unit.subtotals) != len(first.top_level):
                rows.append([row.name, *[""] * len(first.top_level), "—", item.note])
                continue
            counted = score_text(item.score) if item.score is not None else item.note
            rows.append([row.name, *[score_text(v) for v in item.unit.subtotals], score_text(item.unit.total), counted])
        story.append(pdf_layout.table([_pdf(h) for h in header], [[_pdf(str(v)) for v in r] for r in rows]))
    return story


def results_pdf(
    plan: AssessmentPlan, view: PlanView, generated_on: date, *, is_scoped: bool = False
) -> bytes:
    """Return the result tables in the form a committee signs: per category the table with
    proposed grades and reasons, the quota used, notes on ties and overrides, then the rules
    and the signature lines; numbered A4 pages, marked 草稿 until the plan is confirmed."""
    draft = not plan.is_confirmed
    title = _("%(title)s 考核结果", title=plan.title) + (_("（草稿）") if draft else "")
    kind = _("单位") if plan.subject_kind is PlanSubjectKind.UNIT else _("干部")
    subtitle = _(
        "%(year)s 年度｜考核对象：%(kind)s｜%(status)s｜生成日期 %(date)s",
        year=plan.year,
        kind=kind,
        status=plan_status_text(plan),
        date=generated_on.isoformat(),
    )
    story = [_para(title, pdf_layout.STYLES["title"]), _para(subtitle, pdf_layout.STYLES["subtitle"])]
    if draft:
        story.append(_para(draft_mark(), _DRAFT_STYLE))
    if is_scoped:
        story.append(_para(scope_note(), pdf_layout.STYLES["notice"]))
    breakdowns = target_link.plan_breakdowns(plan, view)
    for category in view.categories:
        story.append(_para(category.name, pdf_layout.STYLES["h2"]))
        story.append(_para(quota_line(plan, category), pdf_layout.STYLES["body"]))
        story.append(_para(composite_formula(plan, category), pdf_layout.STYLES["body"]))
        story.append(Spacer(1, 2 * mm))
        if category.subjects:
            rows = [_pdf_row(plan, row) for row in category.subjects]
            story.append(pdf_layout.table(_pdf_header(), rows, PDF_WIDTHS))
        else:
            story.append(_para(_("本类别没有考核对象"), pdf_layout.STYLES["body"]))
        story += _targets_story(category, breakdowns)
        notes = _category_notes(plan, category)
        if notes:
            story.append(Spacer(1, 2 * mm))
            story.append(_para(_("说明："), pdf_layout.STYLES["body"]))
            story += [_para(f"{i}. {note}", _NOTE_STYLE) for i, note in enumerate(notes, 1)]
    story.append(_para(_("考核办法"), pdf_layout.STYLES["h2"]))
    story += [_para(phrasing.labelled(label, text), _NOTE_STYLE) for label, text in rule_lines(plan)]
    story += [Spacer(1, 6 * mm), _signatures()]
    footer = "｜".join(
        [
            plan.title,
            _("草稿（未确认）") if draft else _("已确认"),
            _("生成日期 %(date)s", date=generated_on.isoformat()),
        ]
    )
    return pdf_layout.build_pdf(_pdf(title), _pdf(footer), story)
