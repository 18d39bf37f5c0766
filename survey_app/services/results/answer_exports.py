"""Answers and comments in the exports: the workbook's 选择题统计 and 文字意见 sheets, the
results PDF's appendix, a CSV of the texts and the results API's `answers` field.

Everything is built from an `answers.AnswersView`, so exports show exactly what the page
shows to the same user: masked texts only (never an original, whoever exports), groups
below their minimum withheld, texts in the view's shuffled order. Every text cell passes
through `sheets.safe_text` (formula injection).
"""

import csv
import io
import re

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from analytics.charts import choice_shares_chart
from survey_app.labels import QUESTION_KIND
from survey_app.services.platform import pdf_layout
from survey_app.services.platform.sheets import safe_text, write_sheet
from survey_app.services.results.answers import AnswersView, ChoiceQuestion, NumberQuestion, Withheld

SHARE_FORMAT, NUMBER_FORMAT = "0.0%", "0.##"


def download_name(view: AnswersView, suffix: str) -> str:
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", view.title).strip(" ._") or str(view.survey_id)
    return f"{stem}-{suffix}"


def withheld_note(withheld: Withheld) -> str:
    """Why some answers are missing, and how many (empty when none are)."""
    if withheld.is_count_hidden:
        return _("人数少于最低人数的评议主体的回答（如有）不予显示；本题是否出现取决于前面的选择，为保护匿名不显示条数。")
    if not withheld.count:
        return ""
    return _("另有 %(n)d 条回答来自人数少于最低人数的评议主体（%(groups)s），为保护匿名不予显示，也不计入合计。",
             n=withheld.count, groups="、".join(withheld.groups))


def chart_series(question: ChoiceQuestion) -> tuple[list[str], list[str], list[list[float | None]]]:
    """(option labels, series labels, shares) of a choice question's chart: each shown
    group, then the total."""
    tally = question.tally
    series = [*tally.group_labels, _("合计")]
    shares = [list(tally.shares(i)) for i in range(len(tally.group_labels))] + [list(tally.shares())]
    return list(tally.option_labels), series, shares


def _choice_rows(question: ChoiceQuestion) -> list[list]:
    tally = question.tally
    rows = []
    for option, label in enumerate(tally.option_labels):
        cells = [question.prompt, str(QUESTION_KIND[question.kind]), label]
        for group in range(len(tally.group_labels)):
            share = tally.shares(group)[option]
            cells += [tally.counts[group][option], share]
        cells += [tally.total_counts[option], tally.shares()[option]]
        rows.append(cells)
    return rows


def _number_cells(summary) -> list:
    return [summary.n, summary.mean, summary.median, summary.minimum, summary.maximum, summary.q1, summary.q3]


def _choices_sheet(sheet, view: AnswersView) -> None:
    # The shown groups are the survey's (a group's size decides), the same for every question.
    groups = view.choices[0].tally.group_labels if view.choices else ()
    headers = [_("题目"), _("题型"), _("选项")]
    for label in groups:
        headers += [_("%(group)s·人次", group=label), _("%(group)s·占比", group=label)]
    headers += [_("合计·人次"), _("合计·占比")]
    rows = []
    for question in view.choices:
        rows += _choice_rows(question)
        if question.withheld.has_note:
            rows.append([question.prompt, "", withheld_note(question.withheld)])
    number_header_row = [_("题目"), _("评议主体"), _("人数"), _("平均数"), _("中位数"), _("最小值"), _("最大值"),
                         _("下四分位数"), _("上四分位数")]
    formats = {5 + 2 * i: SHARE_FORMAT for i in range(len(groups))} | {4 + 2 * len(groups) + 1: SHARE_FORMAT}
    write_sheet(sheet, headers, rows, [30, 8, 16] + [10, 10] * (len(groups) + 1), formats)
    if view.numbers:
        sheet.append([])
        sheet.append([safe_text(h) for h in number_header_row])
        for question in view.numbers:
            for label, summary in [*question.by_group, (_("合计"), question.total)]:
                sheet.append([safe_text(question.prompt), safe_text(label), *_number_cells(summary)])
            if question.withheld.has_note:
                sheet.append([safe_text(question.prompt), withheld_note(question.withheld)])
    if not view.choices and not view.numbers:
        sheet.append([_("本问卷没有选择题或数字题。")])


def _texts_sheet(sheet, view: AnswersView) -> None:
    headers = [_("类别"), _("题目或评议对象"), _("评议主体"), _("内容（已遮盖个人信息）"), _("转办")]
    rows = [[_("问卷题目"), item.question, item.group, item.text, _("已转办") if item.followup_id else ""]
            for question in view.texts for item in question.items]
    rows += [[_("意见建议"), item.subject, item.group, item.text, _("已转办") if item.followup_id else ""]
             for subject in view.comments for item in subject.items]
    notes = [[_("问卷题目"), q.prompt, "", withheld_note(q.withheld), ""] for q in view.texts if q.withheld.has_note]
    notes += [[_("意见建议"), c.name, "", withheld_note(c.withheld), ""] for c in view.comments if c.withheld.has_note]
    if view.is_scoped and view.texts:
        notes.append([_("问卷题目"), "", "", _("全卷性题目的文字回答不按单位划分，仅向全部范围的用户提供。"), ""])
    write_sheet(sheet, headers, rows + notes, [10, 24, 12, 80, 8])
    for (cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def add_sheets(workbook: Workbook, view: AnswersView) -> None:
    """Add 选择题统计 and 文字意见 to a results workbook."""
    _choices_sheet(workbook.create_sheet(_("选择题统计")), view)
    _texts_sheet(workbook.create_sheet(_("文字意见")), view)


def texts_csv(view: AnswersView) -> bytes:
    """The shown texts as CSV (UTF-8 with BOM for Excel): one row per text, shuffled order,
    masked, formula-safe; no ballot number, so no row can be joined to the raw ballots."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("类别"), _("题目或评议对象"), _("评议主体"), _("内容（已遮盖个人信息）")])
    for item in view.text_items():
        kind = _("问卷题目") if item.kind == "answer" else _("意见建议")
        writer.writerow([safe_text(kind), safe_text(item.question or item.subject), safe_text(item.group),
                         safe_text(item.text)])
    return buffer.getvalue().encode("utf-8-sig")


# ---- PDF appendix ---------------------------------------------------------------------------


def _fmt(value: float | None, share: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if share else f"{value:.2f}".rstrip("0").rstrip(".")


def _choice_story(question: ChoiceQuestion) -> list:
    tally = question.tally
    header = [_("选项"), *tally.group_labels, _("合计")]
    rows = []
    for option, label in enumerate(tally.option_labels):
        cells = [label]
        for group in [*range(len(tally.group_labels)), None]:
            count = tally.total_counts[option] if group is None else tally.counts[group][option]
            cells.append(f"{count}（{_fmt((tally.shares(group))[option], share=True)}）")
        rows.append(cells)
    story = [pdf_layout.paragraph(f"{question.prompt}（{QUESTION_KIND[question.kind]}）", "body"),
             pdf_layout.table(header, rows)]
    if tally.total_respondents:
        story += [Spacer(1, 2 * mm), pdf_layout.image(choice_shares_chart(*chart_series(question), fmt="png"),
                                                      150 * mm, 80 * mm)]
    if question.withheld.has_note:
        story.append(pdf_layout.paragraph(withheld_note(question.withheld), "notice"))
    return story


def _number_story(question: NumberQuestion) -> list:
    rows = [[label, *(_fmt(v) if not isinstance(v, int) else str(v) for v in _number_cells(s))]
            for label, s in [*question.by_group, (_("合计"), question.total)]]
    story = [pdf_layout.paragraph(question.prompt, "body"),
             pdf_layout.table([_("评议主体"), _("人数"), _("平均数"), _("中位数"), _("最小值"), _("最大值"),
                               _("下四分位数"), _("上四分位数")], rows)]
    if question.withheld.has_note:
        story.append(pdf_layout.paragraph(withheld_note(question.withheld), "notice"))
    return story


def _text_story(title: str, items, withheld: Withheld) -> list:
    story = [pdf_layout.paragraph(title, "body")]
    if items:
        story.append(pdf_layout.table([_("评议主体"), _("内容（已遮盖个人信息）")],
                                      [[item.group, item.text] for item in items], [30 * mm, 140 * mm]))
    else:
        story.append(pdf_layout.paragraph(_("暂无可显示的内容")))
    if withheld.has_note:
        story.append(pdf_layout.paragraph(withheld_note(withheld), "notice"))
    return story


def pdf_appendix(view: AnswersView) -> list:
    """The results PDF's appendix: tallies, statistics, texts and comments."""
    story = [pdf_layout.paragraph(_("附录：选择题统计、文字回答与意见建议"), "h2"),
             pdf_layout.paragraph(_("文字内容已自动遮盖手机号、固定电话、身份证号和电子邮箱，并按管理人员的标记遮盖姓名等信息；"
                                    "顺序已随机打乱，与提交顺序无关。"))]
    for question in view.choices:
        story += _choice_story(question)
    for question in view.numbers:
        story += _number_story(question)
    for question in view.texts:
        if question.is_hidden_by_scope:
            story.append(pdf_layout.paragraph(question.prompt, "body"))
            story.append(pdf_layout.paragraph(_("全卷性题目的文字回答不按单位划分，仅向全部范围的用户提供。"), "notice"))
            continue
        story += _text_story(question.prompt, question.items, question.withheld)
    for subject in view.comments:
        story += _text_story(_("意见建议：%(name)s", name=subject.name), subject.items, subject.withheld)
    return story


# ---- JSON (results API) ------------------------------------------------------------------------


def _withheld_json(withheld: Withheld) -> dict:
    if withheld.is_count_hidden:
        return {"count": None, "groups": []}
    return {"count": withheld.count, "groups": list(withheld.groups)}


def _summary_json(summary) -> dict:
    return {"n": summary.n, "mean": summary.mean, "median": summary.median, "min": summary.minimum,
            "max": summary.maximum, "q1": summary.q1, "q3": summary.q3}


def answers_json(view: AnswersView) -> dict:
    """The `answers` field of the results API (docs/api.md): masked texts only."""
    return {
        "choice_questions": [
            {"id": q.question_id, "prompt": q.prompt, "kind": q.kind.value, "options": list(q.tally.option_labels),
             "groups": [{"label": label, "respondents": q.tally.respondents[i], "counts": list(q.tally.counts[i])}
                        for i, label in enumerate(q.tally.group_labels)],
             "total": {"respondents": q.tally.total_respondents, "counts": list(q.tally.total_counts)},
             "withheld": _withheld_json(q.withheld)}
            for q in view.choices
        ],
        "number_questions": [
            {"id": q.question_id, "prompt": q.prompt, "total": _summary_json(q.total),
             "groups": [{"label": label, **_summary_json(s)} for label, s in q.by_group],
             "withheld": _withheld_json(q.withheld)}
            for q in view.numbers
        ],
        "text_questions": [
            {"id": q.question_id, "prompt": q.prompt, "hidden_by_scope": q.is_hidden_by_scope,
             "answers": [{"group": item.group, "text": item.text} for item in q.items],
             "withheld": _withheld_json(q.withheld)}
            for q in view.texts
        ],
        "subject_comments": [
            {"subject_id": c.subject_id, "key": c.key, "name": c.name, "unit": c.unit,
             "comments": [{"group": item.group, "text": item.text} for item in c.items],
             "withheld": _withheld_json(c.withheld)}
            for c in view.comments
        ],
    }
